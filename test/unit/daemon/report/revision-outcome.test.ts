/**
 * The verdict on a revision from its hosts' facts (data in, verdict out): pending while any host may
 * still move, then success or failure with a description that names failed hosts within 140 characters.
 */
import { describe, expect, it } from 'vitest';
import { hostOutcome, judgeRevision, type HostFacts } from '../../../../controller/daemon/report/revision-outcome.js';

const R = 'main@sha1:new';
const OLD = 'main@sha1:old';
const h = (host: string, f: Partial<HostFacts> = {}): HostFacts => ({ host, suspended: false, running: false, queued: false, ...f });
const synced = (host: string): HostFacts => h(host, { lastAttemptedRevision: R, lastAppliedRevision: R, lastResult: 'applied' });

describe('hostOutcome', () => {
  it.each([
    ['synced', synced('a')],
    ['pending', h('a', { running: true, lastAppliedRevision: R })],
    ['suspended', h('a', { suspended: true })],
    ['failed', h('a', { lastAttemptedRevision: R, lastResult: 'failed', lastErrorCode: 'E_STEP_FAILED', queued: true })],
    ['rolledBack', h('a', { lastAttemptedRevision: R, lastResult: 'failed', lastErrorCode: 'E_ROLLED_BACK' })],
    ['unreachable', h('a', { lastAttemptedRevision: R, lastResult: 'unreachable', queued: true })],
    ['halted', h('a', { lastAppliedRevision: OLD, held: 'RolloutHalted: wave canary' })],
    ['pending', h('a', { lastAppliedRevision: OLD, held: 'WaitingForWave: wave 2' })],
    // Failed at an older revision: final only when nothing will run it at this one.
    ['failed', h('a', { lastAttemptedRevision: OLD, lastResult: 'failed' })],
    ['pending', h('a', { lastAttemptedRevision: OLD, lastResult: 'failed', queued: true })],
    ['pending', h('a', { lastAppliedRevision: OLD, lastResult: 'applied' })],
  ] as const)('%s: %j', (expected, facts) => {
    expect(hostOutcome(facts, R)).toBe(expected);
  });
});

describe('judgeRevision', () => {
  it('pending while a host is in progress', () => {
    expect(judgeRevision([synced('web1'), h('web2', { running: true })], R)).toMatchObject({ state: 'pending', description: '1/2 hosts synced, 1 in progress' });
  });

  it('success when every host converged (suspended hosts do not count against it)', () => {
    expect(judgeRevision([synced('web1'), h('web2', { suspended: true })], R)).toMatchObject({ state: 'success', failedHosts: [], description: '1/2 hosts synced, 1 suspended' });
  });

  it('failure naming the hosts, sorted', () => {
    const hosts = [...Array.from({ length: 18 }, (_, i) => synced(`ok${i}`)),
      h('web7', { lastAttemptedRevision: R, lastResult: 'failed' }), h('web3', { lastAttemptedRevision: R, lastResult: 'failed' })];
    expect(judgeRevision(hosts, R)).toMatchObject({ state: 'failure', failedHosts: ['web3', 'web7'], description: '18/20 hosts synced, 2 failed: web3, web7' });
  });

  it('a thousand failed hosts still fit in 140 characters', () => {
    const hosts = Array.from({ length: 1000 }, (_, i) => h(`host-${String(i).padStart(4, '0')}`, { lastAttemptedRevision: R, lastResult: i % 2 ? 'failed' : 'unreachable' }));
    const verdict = judgeRevision(hosts, R);
    expect(verdict.state).toBe('failure');
    expect(verdict.description.length).toBeLessThanOrEqual(140);
    expect(verdict.description).toMatch(/^0\/1000 hosts synced, 500 failed: host-0001, .* \+\d+, 500 unreachable: host-0000.* \+\d+$/);
  });

  it('a host held (after:) for hosts that failed is final, blocked, along a chain; waiting for a pending one is not', () => {
    const db = h('db1', { lastAttemptedRevision: R, lastResult: 'failed' });
    const app = h('app1', { lastAppliedRevision: OLD, queued: false, waitingFor: ['db1'] });
    const web = h('web1', { lastAppliedRevision: OLD, waitingFor: ['app1'] });
    expect(judgeRevision([db, app, web], R)).toMatchObject({
      state: 'failure', failedHosts: ['db1', 'app1', 'web1'], counts: expect.objectContaining({ failed: 1, blocked: 2, pending: 0 }),
      description: '0/3 hosts synced, 1 failed: db1, 2 waiting for failed hosts: app1, web1',
    });
    expect(judgeRevision([h('db1', { running: true }), app], R)).toMatchObject({ state: 'pending', counts: expect.objectContaining({ pending: 2, blocked: 0 }) });
    expect(judgeRevision([h('db1', { suspended: true }), app], R)).toMatchObject({ state: 'failure', failedHosts: ['app1'] });
  });

  it('no hosts: success, saying so', () => {
    expect(judgeRevision([], R)).toMatchObject({ state: 'success', description: 'no hosts to reconcile' });
  });
});
