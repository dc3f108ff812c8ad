import type { DesiredState } from '../../manifests/types.js';
import { observeHost } from '../facts/observe.js';
import type { ObservedState } from '../facts/types.js';
import type { Session } from './session.js';

/**
 * Observes one host of the session: the facts its declared resources need, in one probe (`drover facts`).
 * Throws the transport's typed errors and E_PROBE_FAILED / E_PROBE_OUTPUT like observeHost.
 */
export async function observeSessionHost(session: Session, desired: DesiredState): Promise<ObservedState> {
  return observeHost(desired, await session.transportFor(desired));
}

/** What an observation covers (facts/observe.ts), for callers that keep observations to plan from. */
export { observationScope } from '../facts/observe.js';
