import { selectSteps } from '../plan/select-steps.js';
import { applyPlanned } from './pipeline.js';
import type { HostResult, PlannedHost } from './types.js';
import type { Session } from './session.js';

/**
 * Narrows a planned host to one named step (`regen_nginx_conf`, `test_web_http`) or compound step
 * (`setup_nginx`) and what it needs (see selectSteps). Throws DroverError E_UNKNOWN_STEP with the names
 * there are.
 */
export function narrowToStep(planned: PlannedHost, step: string): PlannedHost {
  return { ...planned, plan: selectSteps(planned.plan, planned.desired, step) };
}

/**
 * Applies a narrowed plan (`drover run HOST STEP`) as a part of the host's plan: the pipeline's second
 * phase with `partial` (one round trip, none when nothing is to do; the test steps in it run; pending
 * notifications it does not settle stay pending; no re-observation). Never rejects.
 */
export async function applyStep(session: Session, planned: PlannedHost): Promise<HostResult> {
  const target = { desired: planned.desired, transport: () => session.transportFor(planned.desired), connectFresh: () => session.connectFresh(planned.desired) };
  return applyPlanned(planned, target, { mode: 'apply', partial: true });
}
