/**
 * blockedBy: every cause that keeps a host from the newest good revision, one table row each, with the
 * times of the manual clock; and the precedence when several apply at once.
 */
import { describe, expect, it } from 'vitest';
import { blockedBy, type BlockedBy, type BlockedContext } from '../../../../controller/daemon/state/blocked-by.js';
import { newHostRecord, type HostRecord, type RunRecord } from '../../../../controller/daemon/state/records.js';
import { deriveStatus } from '../../../../controller/daemon/state/status.js';
import { ManualClock } from '../../../support/manual-clock.js';

const clock = new ManualClock(Date.UTC(2026, 11, 7, 12, 0, 0));
const T0 = clock.now();
const iso = (ms: number): string => new Date(ms).toISOString();
const OLD = 'main@sha1:1111';
const NEW = 'main@sha1:2222';

function run(result: RunRecord['result'], minutesAgo: number, extra: Partial<RunRecord> = {}): RunRecord {
  return { id: `r${minutesAgo}`, trigger: 'revision', revision: NEW, startedAt: T0 - minutesAgo * 60_000, endedAt: T0 - minutesAgo * 60_000 + 1000, dryRun: false, result, changedSteps: [], ...extra };
}

function record(extra: Partial<HostRecord>): HostRecord {
  return { ...newHostRecord('web1'), lastAppliedRevision: OLD, ...extra };
}

const base: BlockedContext = { desiredRevision: NEW };
const quarantine = { revision: NEW, desiredHash: 'h2', code: 'E_LOCKED_OUT', reason: 'undone', at: T0 - 120_000 };

const cases: { name: string; record: HostRecord; context?: Partial<BlockedContext>; expected: Partial<BlockedBy> | undefined }[] = [
  { name: 'Synced on the newest revision: nothing', record: record({ lastAppliedRevision: NEW, history: [run('applied', 1)] }), expected: undefined },
  {
    name: 'suspended through the API', record: record({ suspended: true, history: [run('applied', 1)] }),
    expected: { kind: 'suspended', by: 'api', reason: 'suspended through the API (drover suspend); drover resume to go on' },
  },
  {
    name: 'suspended by the config', record: record({ suspended: true }), context: { suspendedByConfig: true },
    expected: { kind: 'suspended', by: 'config', reason: 'suspended by the controller config (suspendedHosts)' },
  },
  {
    name: 'a run in progress since T', record: record({ running: { ...run(undefined, 3), id: 'r-now' } }),
    expected: { kind: 'running', since: T0 - 180_000, runId: 'r-now', revision: NEW, reason: `run r-now in progress since ${iso(T0 - 180_000)} (applying ${NEW})` },
  },
  {
    name: 'the newest revision rejected, with its first problem', record: record({ lastAppliedRevision: NEW, history: [run('applied', 5)] }),
    context: { rejected: { revision: 'main@sha1:3333', problem: 'hosts/web1.yaml:3:1  .roles  unknown role "db"' } },
    expected: { kind: 'rejected', revision: 'main@sha1:3333', reason: 'the newest revision main@sha1:3333 was rejected: hosts/web1.yaml:3:1  .roles  unknown role "db"' },
  },
  {
    name: 'a quarantined revision (undone by the lockout guard)', record: record({ quarantine, lastError: { code: 'E_LOCKED_OUT', message: 'undone', at: T0 }, history: [run('failed', 2)] }),
    expected: { kind: 'quarantined', revision: NEW, code: 'E_LOCKED_OUT', since: T0 - 120_000 },
  },
  {
    name: 'a quarantine holds a later commit with the same desired state', record: record({ quarantine, history: [run('drift', 1, { dryRun: true, revision: 'main@sha1:4444' })] }),
    context: { desiredRevision: 'main@sha1:4444', desiredHash: 'h2' }, expected: { kind: 'quarantined', revision: NEW },
  },
  {
    name: 'a quarantine of an older revision no longer holds', record: record({ quarantine, history: [] }), context: { desiredRevision: 'main@sha1:5555', desiredHash: 'h5' },
    expected: { kind: 'pending', reason: 'not yet run at main@sha1:5555 (queued)' },
  },
  {
    name: 'circuit breaker open until T', record: record({ history: [run('unreachable', 1), run('unreachable', 2)] }),
    context: { breaker: { phase: 'open', failures: 5, trialAt: T0 + 300_000 } },
    expected: { kind: 'breaker', failures: 5, until: T0 + 300_000, reason: `circuit breaker open after 5 failed connections, until ${iso(T0 + 300_000)}` },
  },
  {
    name: 'unreachable since the first run of the streak', record: record({ lastError: { code: 'E_CONNECT_TIMEOUT', message: 'x', at: T0 }, history: [run('unreachable', 1), run('unreachable', 4), run('applied', 9)] }),
    context: { retryAt: T0 + 30_000 },
    expected: { kind: 'unreachable', since: T0 - 240_000, retryAt: T0 + 30_000, reason: `unreachable since ${iso(T0 - 240_000)}: E_CONNECT_TIMEOUT; next try at ${iso(T0 + 30_000)}` },
  },
  {
    name: 'failing, retried with backoff', record: record({ lastError: { code: 'E_STEP_FAILED', message: 'x', step: 'install_file_motd', at: T0 }, history: [run('failed', 1), run('failed', 3)] }),
    context: { retryAt: T0 + 10_000 },
    expected: { kind: 'failed', code: 'E_STEP_FAILED', since: T0 - 180_000, retryAt: T0 + 10_000, reason: `failing since ${iso(T0 - 180_000)} (E_STEP_FAILED at install_file_motd); next try at ${iso(T0 + 10_000)}` },
  },
  {
    name: 'outside its window (opens at T)', record: record({ history: [run('drift', 1, { dryRun: true })] }),
    context: { held: 'OutsideWindow: nights', hold: { kind: 'window', reason: `OutsideWindow: outside allow window "0 2 * * *" (UTC, 60m); opens at ${iso(T0 + 3_600_000)}`, opensAt: T0 + 3_600_000 } },
    expected: { kind: 'window', opensAt: T0 + 3_600_000, reason: `outside its maintenance window: outside allow window "0 2 * * *" (UTC, 60m); opens at ${iso(T0 + 3_600_000)}` },
  },
  {
    name: 'waiting for rollout wave N (M hosts still running)', record: record({ history: [run('drift', 1, { dryRun: true })] }),
    context: { held: 'RolloutWave', hold: { kind: 'wave', reason: 'RolloutWave', lane: 'default', revision: NEW, phase: 'Progressing', wave: 2, waveName: 'rest', current: 1, running: 3 } },
    expected: { kind: 'wave', wave: 2, current: 1, running: 3, reason: `waiting for rollout wave 2 of ${NEW} (wave 1 has 3 hosts still running); lane default` },
  },
  {
    name: 'a halted rollout', record: record({ history: [run('drift', 1, { dryRun: true })] }),
    context: { held: 'RolloutHalted', hold: { kind: 'wave', reason: 'RolloutHalted', lane: 'web', revision: NEW, phase: 'Halted', wave: 2, waveName: 'rest', current: 1, running: 0 } },
    expected: { kind: 'wave', phase: 'Halted', reason: `rollout of ${NEW} halted at wave 1; lane web` },
  },
  {
    name: 'waiting for another host (after:)', record: record({ history: [run('drift', 1, { dryRun: true })] }),
    context: { held: 'waiting for db1', waiting: { reason: 'WaitingForHosts', revision: NEW, hosts: [{ host: 'db1', status: 'Failed', detail: 'E_STEP_FAILED at regen_x' }] } },
    expected: { kind: 'waiting', revision: NEW, hosts: ['db1'], reason: `waiting for db1 (Failed: E_STEP_FAILED at regen_x) to be Synced on ${NEW}` },
  },
  {
    name: 'drift reported, not applied', record: record({ lastAppliedRevision: NEW, history: [run('drift', 1, { dryRun: true })] }),
    expected: { kind: 'drift', revision: NEW },
  },
  { name: 'never run yet', record: record({ lastAppliedRevision: undefined }), expected: { kind: 'pending', reason: `not yet run at ${NEW} (queued)` } },
];

describe('blockedBy', () => {
  for (const c of cases) {
    it(c.name, () => {
      const context = { ...base, ...c.context };
      const { status } = deriveStatus(c.record, context);
      const found = blockedBy(c.record, status, context);
      if (c.expected === undefined) expect(found).toBeUndefined();
      else expect(found).toMatchObject(c.expected);
    });
  }

  it('every host that is not Synced has exactly one cause, in the order of precedence', () => {
    const all = record({
      suspended: true, running: run(undefined, 1), quarantine, history: [run('unreachable', 2)],
    });
    const context: BlockedContext = { ...base, breaker: { phase: 'open', failures: 3 }, hold: { kind: 'window', reason: 'OutsideWindow: x' } };
    const order = ['suspended', 'running', 'quarantined', 'breaker', 'unreachable', 'window'];
    let current = all;
    const seen: string[] = [];
    for (const kind of order) {
      const found = blockedBy(current, deriveStatus(current, context).status, context);
      seen.push(found?.kind ?? 'none');
      if (kind === 'suspended') current = { ...current, suspended: false };
      if (kind === 'running') current = { ...current, running: undefined };
      if (kind === 'quarantined') current = { ...current, quarantine: undefined };
      if (kind === 'breaker') context.breaker = { phase: 'closed', failures: 0 };
      if (kind === 'unreachable') current = { ...current, history: [run('drift', 1, { dryRun: true })] };
    }
    expect(seen).toEqual(order);
  });
});
