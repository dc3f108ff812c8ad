import type { DesiredState } from '../../manifests/types.js';
import { applyPlan } from '../apply/index.js';
import { selectSteps } from '../plan/select-steps.js';
import { toApplyFailure, toHostFailure } from './failure.js';
import { maskDeep, secretsOf } from './mask.js';
import type { HostApplyResult, PlannedHost } from './types.js';
import type { Session } from './session.js';

/**
 * Narrows a planned host to one named step (`regen_nginx_conf`, `test_web_http`) or compound step
 * (`setup_nginx`) and what it needs (see selectSteps). Throws DroverError E_UNKNOWN_STEP with the names
 * there are.
 */
export function narrowToStep(planned: PlannedHost, desired: DesiredState, step: string): PlannedHost {
  return { ...planned, plan: selectSteps(planned.plan, desired, step) };
}

/**
 * Applies a narrowed plan (`drover run HOST STEP`) as a part of the host's plan: one round trip (none when
 * nothing is to do), the test steps in it run, notifications pending from earlier runs that it does not
 * settle stay pending for the next reconcile, and there is no re-observation. Never rejects: a failure
 * is a result with `error`. Repository secret values are masked in the result (tool output may quote them).
 */
export async function applyStep(session: Session, planned: PlannedHost, desired: DesiredState): Promise<HostApplyResult> {
  return maskDeep(await applyStepUnmasked(session, planned, desired), secretsOf(desired));
}

async function applyStepUnmasked(session: Session, planned: PlannedHost, desired: DesiredState): Promise<HostApplyResult> {
  const started = performance.now();
  const { host, address, plan, observed } = planned;
  let sent = false;
  try {
    const transport = await session.transportFor(desired);
    sent = true;
    const apply = await applyPlan({ desired, observed, plan, transport, options: { partial: true } });
    return { host, address, plan, apply, durationMs: performance.now() - started };
  } catch (err) {
    return { host, address, error: sent ? toApplyFailure(err) : toHostFailure(err), durationMs: performance.now() - started };
  }
}
