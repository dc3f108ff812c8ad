/**
 * The controller's RolloutCoordinator with an injected clock and a real state dir: waves released in
 * order, a pause held by the clock (not by waiting), a halt kept across a restart (same revision), a new
 * revision starting over, and windows turning applies into plans until they open.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RepositoryPolicies, RolloutWave, WindowSpec } from '../../../../manifests/policies.js';
import type { DesiredState } from '../../../../manifests/types.js';
import type { FleetRevision } from '../../../../controller/daemon/revisions/fleet.js';
import { createLogger } from '../../../../controller/daemon/log.js';
import { RolloutCoordinator } from '../../../../controller/daemon/rollouts/rollouts.js';
import type { RunHostResult } from '../../../../controller/reconcile/types.js';
import { ManualClock } from '../../../support/manual-clock.js';

const origin = { file: 'drover.yaml', line: 1, col: 1 };
const names = ['a1', 'a2', 'a3', 'a4', 'a5'];
const wave = (w: Partial<RolloutWave>): RolloutWave => ({ name: w.group ?? 'w', pauseMs: 0, origin, ...w });

function fleetAt(revision: string, options: { waves: RolloutWave[]; windows?: WindowSpec[] }): FleetRevision {
  const policies: RepositoryPolicies = { rollout: { lane: 'default', waves: options.waves }, groupRollouts: {}, windows: options.windows ?? [], groupWindows: {} };
  const hosts = new Map(names.map((n) => [n, { host: { name: n, groups: n === 'a5' ? ['canary'] : [] } } as unknown as DesiredState]));
  return { revision, commit: revision, hosts, hashes: new Map(names.map((n) => [n, revision])), policies, members: { canary: ['a5'] }, others: new Map() };
}

const ok = (host: string): RunHostResult => ({ host, address: 'a:22', outcome: 'applied', durationMs: 1, phaseDurationsMs: {} });
const failed = (host: string): RunHostResult => ({ host, address: 'a:22', outcome: 'failed', error: { code: 'E_TEST_FAILED', message: 'x', unreachable: false, step: 'test_x' }, durationMs: 1, phaseDurationsMs: {} });

let dir: string;
let clock: ManualClock;
let released: string[][];
let fleet: FleetRevision | undefined;

function coordinator(): RolloutCoordinator {
  return new RolloutCoordinator({ clock, log: createLogger({ level: 'silent' }), stateDir: dir, fleet: () => fleet, release: (h) => released.push(h) });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-rollouts-'));
  clock = new ManualClock(Date.parse('2026-11-29T07:00:00Z'));
  released = [];
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('RolloutCoordinator', () => {
  it('releases the canary, then after its pause the next wave, then the rest', async () => {
    const c = coordinator();
    fleet = fleetAt('r1', { waves: [wave({ group: 'canary', pauseMs: 60_000 }), wave({ count: 2, name: 'two' })] });
    expect(c.onRevision(fleet, names)).toEqual(['a5']);
    expect(c.gate('a1', { overrideWindow: false })).toMatchObject({ apply: false, reason: expect.stringMatching(/^WaitingForWave: a1 is in wave two/) });
    c.record('a5', 'r1', ok('a5'));
    expect(released).toEqual([]);
    expect(c.views()[0]).toMatchObject({ phase: 'Paused', wave: 2, nextWaveAt: clock.now() + 60_000 });
    expect(c.heldReason('a1')).toMatch(/^RolloutPaused: wave two starts at 2026-11-29T07:01:00.000Z/);
    clock.advance(59_999);
    expect(released).toEqual([]);
    clock.advance(1);
    expect(released).toEqual([['a1', 'a2']]);
    c.record('a1', 'r1', ok('a1'));
    c.record('a2', 'r1', ok('a2'));
    expect(released).toEqual([['a1', 'a2'], ['a3', 'a4']]);
    await c.stop();
  });

  it('keeps a halted rollout across a restart at the same revision; a new revision starts over', async () => {
    const waves = [wave({ group: 'canary' }), wave({ percent: 50 })];
    fleet = fleetAt('r1', { waves });
    const first = coordinator();
    first.onRevision(fleet, names);
    first.record('a5', 'r1', failed('a5'));
    expect(first.views()[0]).toMatchObject({ phase: 'Halted', halted: { wave: 'canary', reason: 'wave canary (1/3): 1 of 1 hosts failed, budget 0: a5 (E_TEST_FAILED at test_x)' } });
    await first.stop();
    const again = coordinator();
    expect(again.onRevision(fleet, names)).toEqual(['a5']);
    expect(again.views()[0]?.phase).toBe('Halted');
    expect(again.gate('a1', { overrideWindow: false })).toMatchObject({ apply: false, reason: expect.stringMatching(/^RolloutHalted: /) });
    fleet = fleetAt('r2', { waves });
    expect(again.onRevision(fleet, names)).toEqual(['a5']);
    expect(again.views()[0]).toMatchObject({ revision: 'r2', phase: 'Progressing', wave: 1 });
    await again.stop();
  });

  it('a closed window turns an apply into a plan with the time it opens; overrideWindow applies', async () => {
    const windows: WindowSpec[] = [{ kind: 'allow', cron: '0 22 * * *', durationMs: 3_600_000, timeZone: 'UTC', origin }];
    fleet = fleetAt('r1', { waves: [wave({ percent: 100 })], windows });
    const c = coordinator();
    c.onRevision(fleet, names);
    expect(c.gate('a1', { overrideWindow: false })).toEqual({
      apply: false, reason: expect.stringMatching(/^OutsideWindow: outside every allowed window/), retryAt: Date.parse('2026-11-29T22:00:00Z'),
    });
    expect(c.heldReason('a1')).toMatch(/^OutsideWindow: /);
    expect(c.gate('a1', { overrideWindow: true })).toEqual({ apply: true, healthCheck: true });
    expect(c.heldReason('a1')).toBeUndefined();
    clock.advance(Date.parse('2026-11-29T22:00:00Z') - clock.now());
    expect(c.gate('a2', { overrideWindow: false })).toEqual({ apply: true, healthCheck: true });
    await c.stop();
  });
});

describe('RolloutCoordinator and suspended hosts', () => {
  it('a suspended host of a wave does not hold the rollout', async () => {
    const c = coordinator();
    fleet = fleetAt('r1', { waves: [wave({ count: 2, name: 'first' })] });
    expect(c.onRevision(fleet, names)).toEqual(['a1', 'a2']);
    c.record('a1', 'r1', ok('a1'));
    expect(released).toEqual([]);
    c.leaveWave('a2', 'r1');
    expect(released).toEqual([['a3', 'a4', 'a5']]);
    await c.stop();
  });
});

describe('RolloutCoordinator across a restart', () => {
  it('a controller restarted during a pause releases the next wave when the pause ends', async () => {
    fleet = fleetAt('r1', { waves: [wave({ group: 'canary', pauseMs: 60_000 }), wave({ percent: 100, name: 'all' })] });
    const first = coordinator();
    first.onRevision(fleet, names);
    first.record('a5', 'r1', ok('a5'));
    await first.stop();
    clock.advance(10_000);
    const again = coordinator();
    expect(again.onRevision(fleet, names.filter((n) => n !== 'a5'))).toEqual([]);
    clock.advance(49_999);
    expect(released).toEqual([]);
    clock.advance(1);
    expect(released).toEqual([['a1', 'a2', 'a3', 'a4']]);
    await again.stop();
  });
});
