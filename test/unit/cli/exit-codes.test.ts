/** Exit codes (README "Exit codes", issue 11 item 14): 3 means "hosts failed" however many; 1 only stops the whole command. */
import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../../controller/cli/commands/plan.js';
import { applyExitCode } from '../../../controller/cli/commands/reconcile.js';
import type { DesiredState } from '../../../manifests/types.js';
import type { HostPlanResult, HostResult, Plan, UnplannedHost } from '../../../controller/reconcile/types.js';
import type { ObservedState } from '../../../controller/reconcile/types.js';

const observed: ObservedState = { host: 'h', platform: { id: 'debian', family: 'debian', version: '12', packageManager: 'apt', initSystem: 'other' }, resources: {}, observedAt: '' } as ObservedState;
const plan = (inSync: boolean): Plan => ({ host: 'h', steps: [], summary: { create: inSync ? 0 : 1, update: 0, delete: 0, unchanged: 0, mayChange: 0 }, inSync });
const planned = (host: string, inSync: boolean): HostPlanResult => ({ host, address: 'a:22', desired: {} as DesiredState, plan: plan(inSync), observed, startedAt: 0, durationMs: 0, phaseDurationsMs: {} });
const unreachable = (host: string): UnplannedHost => ({ host, address: 'a:22', outcome: 'unreachable', error: { code: 'E_CONNECT_REFUSED', message: 'refused', unreachable: true }, durationMs: 0, phaseDurationsMs: {} });
const applied = (host: string, ok: boolean): HostResult => ({
  host, address: 'a:22', outcome: ok ? 'applied' : 'failed', plan: plan(false), durationMs: 0, phaseDurationsMs: {},
  apply: { host, ok, steps: [], restored: [], notRestored: [], publicKeys: [], roundTrips: 1, durationMs: 0 },
  verify: plan(ok), ...(ok ? {} : { error: { code: 'E_STEP_FAILED', message: 'x', unreachable: false } }),
});

describe('plan exit codes', () => {
  it('is 0 in sync, 2 on drift', () => {
    expect(exitCodeOf([planned('a', true), planned('b', true)])).toBe(0);
    expect(exitCodeOf([planned('a', true), planned('b', false)])).toBe(2);
  });

  it('is 3 when some hosts could not be planned, and also when all of them could not', () => {
    expect(exitCodeOf([planned('a', false), unreachable('b')])).toBe(3);
    expect(exitCodeOf([unreachable('a'), unreachable('b')])).toBe(3);
    expect(exitCodeOf([unreachable('a')])).toBe(3);
  });
});

describe('reconcile exit codes', () => {
  it('is 0 when every host converged', () => {
    expect(applyExitCode([applied('a', true), applied('b', true)])).toBe(0);
  });

  it('is 3 when some hosts failed, and also when every host failed', () => {
    expect(applyExitCode([applied('a', true), applied('b', false)])).toBe(3);
    expect(applyExitCode([applied('a', false), applied('b', false)])).toBe(3);
    expect(applyExitCode([unreachable('a')])).toBe(3);
  });
});
