/** What the worker does after a host's turn (work/next.ts): one decision from the outcome and the registry's kind of its error. */
import { describe, expect, it } from 'vitest';
import { nextAfterTurn, type TurnEnd } from '../../../../controller/daemon/work/next.js';
import { quarantineHolds } from '../../../../controller/daemon/state/quarantine.js';

const end = (over: Partial<TurnEnd>): TurnEnd => ({ trigger: 'revision', apply: true, now: 1_000, stopping: false, ...over });

describe('nextAfterTurn', () => {
  it.each<[string, Partial<TurnEnd>, object]>([
    ['success forgets the backoff', { outcome: 'applied' }, { action: 'forget' }],
    ['a plan-only run found drift: done too', { outcome: 'drift', apply: false }, { action: 'forget' }],
    ['held by a window: applies when it opens', { outcome: 'drift', windowOpensAt: 61_000 }, { action: 'after', delayMs: 60_000, apply: true, trigger: 'revision' }],
    ['a transient error backs off, as a retry', { outcome: 'failed', errorCode: 'E_STEP_FAILED' }, { action: 'backoff', trigger: 'retry', apply: true }],
    ['a bug backs off too', { outcome: 'failed', errorCode: 'E_PROBE_OUTPUT' }, { action: 'backoff' }],
    ['an unknown code is read as a bug', { outcome: 'failed', errorCode: 'E_FROM_AN_OLD_VERSION' }, { action: 'backoff' }],
    ['unreachable with the breaker open: the trial', { outcome: 'unreachable', errorCode: 'E_CONNECT_REFUSED', breakerTrialAt: 31_000 }, { action: 'trial', delayMs: 30_000, trigger: 'retry' }],
    ['unreachable, breaker closed: backoff', { outcome: 'unreachable', errorCode: 'E_CONNECT_TIMEOUT' }, { action: 'backoff' }],
    ['a refused host key needs a human', { outcome: 'failed', errorCode: 'E_HOST_KEY_MISMATCH' }, { action: 'forget' }],
    ['a failed SSH handshake needs a human (not retried with backoff)', { outcome: 'failed', errorCode: 'E_SSH_PROTOCOL', breakerTrialAt: 5_000 }, { action: 'forget' }],
    ['rolled back: not again at this revision', { outcome: 'failed', errorCode: 'E_ROLLED_BACK' }, { action: 'forget' }],
    ['the breaker cooling down: the same run at the trial', { skipped: 'breaker', trigger: 'manual', apply: false, breakerTrialAt: 9_000 }, { action: 'trial', delayMs: 8_000, trigger: 'manual', apply: false }],
    ['suspended or gone', { skipped: 'forget' }, { action: 'forget' }],
    ['stopping: nothing queued again', { outcome: 'failed', errorCode: 'E_SHUTDOWN', stopping: true }, { action: 'forget' }],
  ])('%s', (_name, over, expected) => {
    expect(nextAfterTurn(end(over))).toMatchObject(expected);
  });
});

describe('quarantineHolds', () => {
  it('holds back every trigger but a manual sync at the revision undone, or at a commit that keeps its desired state', () => {
    const q = { revision: 'main@sha1:a', desiredHash: 'h1', code: 'E_LOCKED_OUT', reason: 'x', at: 1 };
    expect(quarantineHolds(q, { revision: 'main@sha1:a', desiredHash: 'h1' }, 'drift')).toBe(true);
    expect(quarantineHolds(q, { revision: 'main@sha1:a', desiredHash: 'h1' }, 'retry')).toBe(true);
    expect(quarantineHolds(q, { revision: 'main@sha1:a', desiredHash: 'h1' }, 'startup')).toBe(true);
    expect(quarantineHolds(q, { revision: 'main@sha1:b', desiredHash: 'h1' }, 'revision')).toBe(true);
    expect(quarantineHolds(q, { revision: 'main@sha1:a', desiredHash: 'h1' }, 'manual')).toBe(false);
    expect(quarantineHolds(q, { revision: 'main@sha1:b', desiredHash: 'h2' }, 'revision')).toBe(false);
    expect(quarantineHolds(undefined, { revision: 'main@sha1:a' }, 'drift')).toBe(false);
  });
});
