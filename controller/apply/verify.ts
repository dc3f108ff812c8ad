/**
 * After apply, the caller checks convergence: observe again and plan again; a converged host's plan is in sync.
 */
import type { DesiredState } from '../../manifests/types.js';
import { observeHost, type ObserveOptions } from '../facts/observe.js';
import { planHost, type PlanOptions } from '../plan/plan-host.js';
import type { Plan } from '../plan/types.js';
import type { Transport } from '../transport/types.js';

/**
 * Re-observes the host (one probe) and re-plans it. Returns the new Plan: `inSync` is true when the
 * host converged. Throws what observeHost and planHost throw.
 */
export async function verifyConverged(desired: DesiredState, transport: Transport, options: ObserveOptions = {}, plan: PlanOptions = {}): Promise<Plan> {
  const observed = await observeHost(desired, transport, options);
  return planHost(desired, observed, plan);
}
