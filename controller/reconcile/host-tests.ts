import type { DesiredState } from '../../manifests/types.js';
import { applyPlan } from '../apply/index.js';
import type { ApplyResult } from '../apply/types.js';
import type { ObservedState } from '../facts/types.js';
import { summarise } from '../plan/plan-host.js';
import type { Plan } from '../plan/types.js';
import type { Transport } from '../transport/types.js';

/** Inputs of runHostTests: a host's plan and the observation it was made from. */
export interface HostTestsRequest {
  desired: DesiredState;
  observed: ObservedState;
  plan: Plan;
  transport: Transport;
  signal?: AbortSignal;
}

/**
 * Runs the host's `test_*` checks (command exit, TCP port, HTTP status) and nothing else, in one round trip
 * (none when the host has no tests): a health check of an in-sync host (`drover reconcile --test`, the
 * controller's drift check). Changes nothing on the host: pending notifications and the inventory are left
 * as they are. A failed test is a `failed` step with its exit code and output; `ok` is false then.
 * Throws transport errors and E_APPLY_* like applyPlan; never retries.
 */
export async function runHostTests(request: HostTestsRequest): Promise<ApplyResult> {
  const steps = request.plan.steps.filter((s) => s.phase === 'test');
  const plan: Plan = { host: request.plan.host, steps, summary: summarise(steps), inSync: true };
  return applyPlan({
    desired: request.desired, observed: request.observed, plan, transport: request.transport,
    options: { partial: true, ...(request.signal ? { signal: request.signal } : {}) },
  });
}

/** True when the plan has test steps. */
export function hasTests(plan: Plan): boolean {
  return plan.steps.some((s) => s.phase === 'test');
}
