/**
 * What happens to a host after its turn at a worker, decided in one place (after controller-runtime's
 * reconcileHandler): from how the turn ended and the error registry's kind of its error, never from a
 * hand-kept list of codes. Pure: the worker applies the answer through requeue() (enqueue.ts).
 */
import { errorSpec } from '../../../manifests/errors.js';
import type { HostOutcome } from '../../reconcile/types.js';
import type { Trigger } from '../state/records.js';

/**
 * - `forget`: done until something new happens (success; an error that needs a human or a new revision);
 * - `after`: run again in `delayMs` (a maintenance window opens), the backoff forgotten;
 * - `trial`: run again when the open circuit breaker lets a trial through, the backoff kept;
 * - `backoff`: run again after the host's growing backoff (a transient error, a bug).
 * `trigger` and `apply` say what that next run is (a retry after a failure), `why` is for the log.
 */
export type Next =
  | { action: 'forget'; why: string }
  | { action: 'after' | 'trial'; delayMs: number; trigger: Trigger; apply: boolean; why: string }
  | { action: 'backoff'; trigger: Trigger; apply: boolean; why: string };

/** How a host's turn ended, and the facts the decision needs. */
export interface TurnEnd {
  /** The run's outcome and error code; undefined when the turn ran nothing (see `skipped`). */
  outcome?: HostOutcome;
  errorCode?: string;
  /** What the turn was for, and whether it (and so its retry) was to apply. */
  trigger: Trigger;
  apply: boolean;
  now: number;
  /** When the host's open breaker lets a trial through; undefined when it is closed. */
  breakerTrialAt?: number;
  /** A run that was held by a closed window: when it opens (apply then). */
  windowOpensAt?: number;
  /** The turn ran nothing: the breaker is cooling down (`breaker`), the host is suspended or gone (`forget`). */
  skipped?: 'breaker' | 'forget';
  /** The controller is stopping: nothing is queued again. */
  stopping: boolean;
}

/** The one decision. */
export function nextAfterTurn(end: TurnEnd): Next {
  if (end.stopping) return { action: 'forget', why: 'the controller is stopping' };
  if (end.skipped === 'forget') return { action: 'forget', why: 'not to be reconciled (suspended, or left the inventory)' };
  const trial = end.breakerTrialAt === undefined ? undefined : Math.max(0, end.breakerTrialAt - end.now);
  if (end.skipped === 'breaker') return { action: 'trial', delayMs: trial ?? 0, trigger: end.trigger, apply: end.apply, why: 'the circuit breaker is cooling down' };
  if (end.outcome !== 'failed' && end.outcome !== 'unreachable') {
    if (end.windowOpensAt !== undefined) return { action: 'after', delayMs: Math.max(0, end.windowOpensAt - end.now), trigger: end.trigger, apply: true, why: 'held until its window opens' };
    return { action: 'forget', why: 'done' };
  }
  const kind = errorSpec(end.errorCode ?? 'E_INTERNAL').kind;
  if (kind === 'stalled') return { action: 'forget', why: `${end.errorCode} needs a human: retried by a new revision, a drift check or a sync` };
  if (kind === 'terminal') return { action: 'forget', why: `${end.errorCode}: not applied again at this revision` };
  if (trial !== undefined) return { action: 'trial', delayMs: trial, trigger: 'retry', apply: end.apply, why: 'unreachable: the circuit breaker is open' };
  return { action: 'backoff', trigger: 'retry', apply: end.apply, why: `${end.errorCode}: retried with backoff` };
}
