/**
 * The controller's pure pieces: the desired-state hash (which hosts a revision affects), merged
 * triggers, run results folded into host records, the readable log format and its redaction, and
 * idle close of pooled connections on a manual clock.
 */
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { affectedHosts, desiredHash } from '../../../controller/daemon/revisions/fingerprint.js';
import { inShard } from '../../../controller/daemon/revisions/fleet.js';
import { finishRun, startRun } from '../../../controller/daemon/state/host-record.js';
import { createLogger, formatLine } from '../../../controller/daemon/log.js';
import { newHostRecord, type RunRecord } from '../../../controller/daemon/state/records.js';
import { PendingTriggers } from '../../../controller/daemon/work/triggers.js';
import { createConnections } from '../../../controller/daemon/connections.js';
import { Secret } from '../../../controller/config/secret.js';
import { TransportPool } from '../../../controller/transport/pool.js';
import { createLocalTransport } from '../../../controller/transport/local.js';
import type { RunHostResult } from '../../../controller/reconcile/types.js';
import { desiredState, file } from '../../support/desired.js';
import { ManualClock } from '../../support/manual-clock.js';

describe('desiredHash / affectedHosts', () => {
  const base = desiredState('web1', [file('/etc/motd', 'hi\n')]);
  it('ignores source positions and key order, and changes with anything that reaches the host', () => {
    const moved = structuredClone(base);
    moved.resources[0]!.origin = { file: 'groups/all.yaml', line: 40, col: 3 };
    moved.host.origin.line = 9;
    const reordered = { settings: base.settings, hooks: base.hooks, tests: base.tests, resources: base.resources, host: base.host };
    expect(desiredHash(moved)).toBe(desiredHash(base));
    expect(desiredHash(reordered)).toBe(desiredHash(base));
    expect(desiredHash(desiredState('web1', [file('/etc/motd', 'hello\n')]))).not.toBe(desiredHash(base));
    expect(desiredHash({ ...base, host: { ...base.host, address: '10.0.0.9' } })).not.toBe(desiredHash(base));
  });

  it('splits hosts into affected (changed or new), unaffected and removed', () => {
    const before = new Map([['a', '1'], ['b', '2'], ['c', '3']]);
    const after = new Map([['a', '1'], ['b', '9'], ['d', '4']]);
    expect(affectedHosts(before, after)).toEqual({ affected: ['b', 'd'], unaffected: ['a'], removed: ['c'] });
  });

  it('puts every host in exactly one shard, stably', () => {
    const hosts = Array.from({ length: 60 }, (_, i) => `web${i}`);
    const shards = [0, 1, 2].map((index) => hosts.filter((h) => inShard(h, { index, count: 3 })));
    expect(shards.flat().sort()).toEqual([...hosts].sort());
    for (const shard of shards) expect(shard.length).toBeGreaterThan(5);
    expect(hosts.every((h) => inShard(h, undefined))).toBe(true);
  });
});

describe('PendingTriggers', () => {
  it('merges triggers: apply wins over plan, the strongest trigger is kept, every waiting sync is listed', () => {
    const pending = new PendingTriggers();
    pending.add('web1', 'drift', { apply: false });
    pending.add('web1', 'manual', { apply: false, runId: 's1' });
    pending.add('web1', 'revision', { apply: true });
    pending.add('web1', 'retry', { apply: false, runId: 's2' });
    expect(pending.take('web1')).toEqual({ trigger: 'revision', apply: true, runIds: ['s1', 's2'] });
    expect(pending.take('web1')).toBeUndefined();
    pending.add('web2', 'manual', { apply: true, runId: 's3' });
    expect(pending.drop('web2')).toEqual(['s3']);
    expect(pending.has('web2')).toBe(false);
  });
});

describe('startRun / finishRun', () => {
  const run: RunRecord = { id: 'r1', trigger: 'revision', revision: 'main@sha1:aa', startedAt: 1000, dryRun: false, changedSteps: [] };
  const plan = { host: 'web1', inSync: false, summary: { create: 0, update: 1, delete: 0, unchanged: 0, mayChange: 0 }, steps: [
    { name: 'regen_motd', phase: 'regen' as const, group: 'setup_web1', resource: 'file:/etc/motd', kind: 'file' as const, action: 'update' as const, reasons: ['content differs'], notifies: [] },
  ] };
  const result = (outcome: RunHostResult['outcome'], extra: Partial<RunHostResult> = {}): RunHostResult => ({ host: 'web1', address: 'a:22', outcome, durationMs: 5, phaseDurationsMs: {}, plan, ...extra });

  it('an applied run: history, revisions, success, hash; running cleared', () => {
    const started = startRun(newHostRecord('web1'), run);
    expect(started.running).toEqual(run);
    const done = finishRun(started, {
      run, now: 2000, desiredHash: 'h1',
      result: result('applied', { apply: { host: 'web1', ok: true, steps: [{ name: 'regen_motd', resource: 'file:/etc/motd', status: 'changed', durationMs: 1 }], restored: [], notRestored: [], publicKeys: [], roundTrips: 1, durationMs: 3 } }),
    });
    expect(done.running).toBeUndefined();
    expect(done.history).toEqual([{ ...run, endedAt: 2000, result: 'applied', changedSteps: ['regen_motd'] }]);
    expect(done).toMatchObject({ lastAppliedRevision: 'main@sha1:aa', lastAttemptedRevision: 'main@sha1:aa', lastSuccessAt: 2000, desiredHash: 'h1', consecutiveFailures: 0 });
    expect(done.lastPlan).toEqual({ revision: 'main@sha1:aa', inSync: false, steps: [{ name: 'regen_motd', action: 'update', reasons: ['content differs'] }], counts: plan.summary });
  });

  it('a failed run keeps the last applied revision and counts the failure with the step and stderr', () => {
    const before = { ...newHostRecord('web1'), lastAppliedRevision: 'main@sha1:00', consecutiveFailures: 2 };
    const done = finishRun(startRun(before, run), {
      run, now: 3000, desiredHash: 'h1',
      result: result('failed', { error: { code: 'E_STEP_FAILED', message: 'step x failed', unreachable: false, step: 'x', stderrTail: 'boom' } }),
    });
    expect(done).toMatchObject({ lastAppliedRevision: 'main@sha1:00', consecutiveFailures: 3, lastError: { code: 'E_STEP_FAILED', step: 'x', stderrTail: 'boom', at: 3000 } });
    expect(done.desiredHash).toBeUndefined();
  });

  it('a drift report keeps the revision and success time, and stores the plan', () => {
    const done = finishRun(startRun(newHostRecord('web1'), { ...run, dryRun: true, trigger: 'drift' }), { run: { ...run, dryRun: true, trigger: 'drift' }, now: 4000, desiredHash: 'h', result: result('drift') });
    expect(done.lastAppliedRevision).toBeUndefined();
    expect(done.lastSuccessAt).toBeUndefined();
    expect(done.lastPlan?.steps.map((s) => s.name)).toEqual(['regen_motd']);
  });
});

describe('logs', () => {
  it('formats a pino line readably, and passes other text through', () => {
    const line = JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 2, 3, 4, 5, 6), msg: 'web1: apply', host: 'web1', runId: 'r 1', n: 2 });
    expect(formatLine(line)).toBe('03:04:05.006 INFO  web1: apply  host=web1 runId="r 1" n=2\n');
    expect(formatLine('not json\n')).toBe('not json\n');
  });

  it('never writes a credential: Secrets and credential-named fields are masked', () => {
    let out = '';
    const stream = new Writable({ write(chunk, _enc, cb) { out += String(chunk); cb(); } });
    const log = createLogger({ level: 'info', stream: Object.assign(stream, { isTTY: false }) });
    log.info({ source: { url: 'https://x', token: new Secret('tok-123') }, apiToken: 'api-456', password: 'pw-789' }, 'starting');
    expect(out).not.toMatch(/tok-123|api-456|pw-789/);
    expect(JSON.parse(out)).toMatchObject({ msg: 'starting', source: { token: '***' }, apiToken: '***' });
  });
});

describe('connections', () => {
  it('closes a connection idle for idleMs, never one leased', async () => {
    const clock = new ManualClock(0);
    let opened = 0;
    const pool = new TransportPool({ connect: async (host) => { opened++; return createLocalTransport({ host, sudo: false }); } });
    const connections = createConnections({ pool, clock, idleMs: 1000 });
    const lease = connections.lease('web1');
    await lease.transport();
    clock.advance(5000);
    expect(connections.size).toBe(1);
    lease.release();
    clock.advance(999);
    expect(connections.size).toBe(1);
    const again = connections.lease('web1');
    await again.transport();
    expect(opened).toBe(1);
    again.release();
    clock.advance(1000);
    await Promise.resolve();
    expect(connections.size).toBe(0);
    await connections.lease('web1').transport();
    expect(opened).toBe(2);
    await connections.closeAll();
  });
});
