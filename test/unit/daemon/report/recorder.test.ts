/**
 * Which runs are worth telling (data in, event out): a failure, a rollback or an unreachable host once
 * per change, not on every retry at the same revision; drift a drift check repaired; and the run event
 * with its trigger, changed steps, duration and the token that asked.
 */
import { describe, expect, it } from 'vitest';
import type { RunHostResult } from '../../../../controller/reconcile/types.js';
import type { RunRecord } from '../../../../controller/daemon/state/records.js';
import { changeEvent, runEvent } from '../../../../controller/daemon/report/recorder.js';

const R = 'main@sha1:new';
const run = (f: Partial<RunRecord> = {}): RunRecord => ({ id: 'r1', trigger: 'revision', revision: R, startedAt: 0, dryRun: false, changedSteps: [], ...f });
const result = (outcome: RunHostResult['outcome'], f: Partial<RunHostResult> = {}): RunHostResult => ({
  host: 'web1', address: '10.0.0.1:22', outcome, durationMs: 1234.4, phaseDurationsMs: {}, ...f,
});
const steps = (...names: string[]) => ({ host: 'web1', ok: true, restored: [], notRestored: [], steps: names.map((name) => ({ name, status: 'changed' })) }) as never;
const error = (code: string, unreachable = false) => ({ code, message: `${code} happened`, unreachable, step: 'file:/etc/x' });

describe('changeEvent', () => {
  it('a first failure is told; the same failure again at the same revision is not; at a new revision it is', () => {
    const failed = result('failed', { error: error('E_STEP_FAILED') });
    expect(changeEvent('web1', run(), failed, run({ result: 'applied' }))).toEqual({ type: 'host.failed', host: 'web1', revision: R, code: 'E_STEP_FAILED', message: 'E_STEP_FAILED happened', step: 'file:/etc/x' });
    expect(changeEvent('web1', run(), failed, run({ result: 'failed' }))).toBeUndefined();
    expect(changeEvent('web1', run(), failed, run({ result: 'failed', revision: 'main@sha1:old' }))).toMatchObject({ type: 'host.failed' });
  });

  it('a rollback is always told; an unreachable host once', () => {
    const rolled = result('failed', { error: error('E_ROLLED_BACK') });
    expect(changeEvent('web1', run(), rolled, run({ result: 'failed' }))).toMatchObject({ type: 'host.rolledBack', code: 'E_ROLLED_BACK' });
    const gone = result('unreachable', { error: error('E_CONNECT_REFUSED', true) });
    expect(changeEvent('web1', run(), gone, undefined)).toEqual({ type: 'host.unreachable', host: 'web1', revision: R, code: 'E_CONNECT_REFUSED', message: 'E_CONNECT_REFUSED happened' });
    expect(changeEvent('web1', run(), gone, run({ result: 'unreachable' }))).toBeUndefined();
  });

  it('drift repaired only from a drift check that changed something', () => {
    expect(changeEvent('web1', run({ trigger: 'drift' }), result('applied', { apply: steps('file:/etc/motd') }), undefined))
      .toEqual({ type: 'host.driftRepaired', host: 'web1', revision: R, changedSteps: ['file:/etc/motd'] });
    expect(changeEvent('web1', run({ trigger: 'revision' }), result('applied', { apply: steps('file:/etc/motd') }), undefined)).toBeUndefined();
    expect(changeEvent('web1', run({ trigger: 'drift' }), result('in-sync'), undefined)).toBeUndefined();
  });

  it('cuts a long message to 500 characters', () => {
    const long = result('failed', { error: { ...error('E_STEP_FAILED'), message: 'y'.repeat(2000) } });
    const event = changeEvent('web1', run(), long, undefined) as { message: string };
    expect(event.message).toHaveLength(500);
  });
});

describe('runEvent', () => {
  it('keeps the trigger, the changed steps, the rounded duration, the error code and the actor', () => {
    expect(runEvent('web1', run({ trigger: 'manual' }), result('failed', { apply: steps('a', 'b'), error: error('E_STEP_FAILED') }), 'ci')).toEqual({
      type: 'run.finished', host: 'web1', revision: R, runId: 'r1', trigger: 'manual', dryRun: false, result: 'failed',
      changedSteps: ['a', 'b'], durationMs: 1234, code: 'E_STEP_FAILED', actor: 'ci',
    });
    expect(runEvent('web1', run(), result('in-sync'), undefined)).not.toHaveProperty('actor');
  });
});
