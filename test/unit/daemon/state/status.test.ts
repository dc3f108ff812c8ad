import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newHostRecord, type HostRecord, type HostStatus, type RunRecord } from '../../../../controller/daemon/state/records.js';
import { deriveStatus, needsReobservation, recoverAfterCrash, withStatus, type StatusContext } from '../../../../controller/daemon/state/status.js';

type RunFixture = Partial<RunRecord> & Pick<RunRecord, 'id' | 'revision' | 'startedAt'>;
type RecordFixture = Partial<Omit<HostRecord, 'history' | 'running'>> & { history?: RunFixture[]; running?: RunFixture };

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../../../fixtures/daemon/status.json'), 'utf8')) as {
  cases: { name: string; record: RecordFixture; context: StatusContext; status: HostStatus; reason: string }[];
};

function runOf(run: RunFixture): RunRecord {
  return { trigger: 'revision', dryRun: false, changedSteps: [], ...run };
}

function recordOf(f: RecordFixture): HostRecord {
  const { history, running, ...rest } = f;
  const record: HostRecord = { ...newHostRecord('web1'), ...rest, history: (history ?? []).map(runOf) };
  return running ? { ...record, running: runOf(running) } : record;
}

describe('deriveStatus', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      expect(deriveStatus(recordOf(c.record), c.context)).toEqual({ status: c.status, reason: c.reason });
    });
  }

  it('withStatus stores the derived status in the record', () => {
    const record = withStatus({ ...newHostRecord('web1'), suspended: true }, {});
    expect([record.status, record.reason]).toEqual(['Suspended', 'suspended: not reconciled until resumed']);
  });
});

describe('recoverAfterCrash', () => {
  const REV = 'main@sha1:2222';
  const killed: HostRecord = {
    ...newHostRecord('web1'), status: 'Progressing', reason: 'reconciling', consecutiveFailures: 2,
    lastAttemptedRevision: REV, lastAppliedRevision: 'main@sha1:1111', lastAttemptAt: 90,
    running: runOf({ id: 'r9', revision: REV, startedAt: 90, changedSteps: ['file:/etc/motd'] }),
    history: [runOf({ id: 'r8', revision: 'main@sha1:1111', startedAt: 50, endedAt: 60, result: 'failed' })],
  };

  it('moves the cut-short run to the history as interrupted, keeping everything else', () => {
    const { record, interrupted } = recoverAfterCrash(killed);
    expect(interrupted).toEqual({ ...killed.running, result: 'interrupted' });
    expect(record.running).toBeUndefined();
    expect(record.history.map((r) => [r.id, r.result])).toEqual([['r9', 'interrupted'], ['r8', 'failed']]);
    expect(record.history[0]).toMatchObject({ startedAt: 90, revision: REV, changedSteps: ['file:/etc/motd'] });
    expect(record.history[0]?.endedAt).toBeUndefined();
    expect(record).toMatchObject({
      consecutiveFailures: 2, lastAttemptedRevision: REV, lastAppliedRevision: 'main@sha1:1111', lastAttemptAt: 90,
      status: 'OutOfSync', reason: 'run r9 was interrupted by a controller restart; the host is re-observed',
    });
    // Before recovery the run looks like one going on now; after it, the host is to be observed first.
    expect(needsReobservation(killed)).toBe(false);
    expect(needsReobservation(record)).toBe(true);
  });

  it('is a no-op on a consistent record, and recovering twice changes nothing more', () => {
    const { record } = recoverAfterCrash(killed);
    expect(recoverAfterCrash(record)).toEqual({ record });
    const clean = newHostRecord('web2');
    expect(recoverAfterCrash(clean).record).toBe(clean);
    expect(needsReobservation(clean)).toBe(false);
  });

  it('does not duplicate a run already in the history', () => {
    const { record } = recoverAfterCrash({ ...killed, history: [killed.running as RunRecord, ...killed.history] });
    expect(record.history.map((r) => r.id)).toEqual(['r9', 'r8']);
  });

  it('keeps a suspended host Suspended', () => {
    expect(recoverAfterCrash({ ...killed, suspended: true }).record.status).toBe('Suspended');
  });
});
