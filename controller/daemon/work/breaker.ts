/**
 * Per-host circuit breaker. A host that cannot be reached N times in a row is left alone for a
 * cool-down (status Unreachable) instead of holding a worker for a connect timeout on every retry; after
 * the cool-down one trial run is let through: success closes the breaker, failure opens it again.
 *
 *   closed --N consecutive unreachable--> open --cooldown--> half-open (one trial) --reachable--> closed
 *                                           ^------------------- unreachable -----------'
 *
 * Only transport failures count: a run that reached the host, even one that failed, proves it reachable.
 * The transitions are pure functions of (state, time); HostBreakers keeps one state per host.
 */
import type { Clock } from '../clock.js';

/** The breaker of one host. `failures` counts consecutive unreachable runs. */
export type BreakerState =
  | { phase: 'closed'; failures: number }
  | { phase: 'open'; failures: number; openedAt: number }
  | { phase: 'half-open'; failures: number; trialRunning: boolean };

/** Phase names, for status and metrics. */
export type BreakerPhase = BreakerState['phase'];

/** When the breaker opens and for how long (config `circuitBreaker`). */
export interface BreakerOptions {
  /** Consecutive unreachable runs that open the breaker (>= 1). */
  threshold: number;
  cooldownMs: number;
}

/** A breaker that never saw a failure. */
export const CLOSED: BreakerState = { phase: 'closed', failures: 0 };

/**
 * Asks to start a run at `now`. Closed: allowed. Open: refused until the cool-down has passed, then
 * allowed as the one trial (-> half-open). Half-open: refused while the trial runs.
 */
export function requestRun(state: BreakerState, now: number, options: BreakerOptions): { allowed: boolean; state: BreakerState } {
  switch (state.phase) {
    case 'closed':
      return { allowed: true, state };
    case 'open':
      if (now < state.openedAt + options.cooldownMs) return { allowed: false, state };
      return { allowed: true, state: { phase: 'half-open', failures: state.failures, trialRunning: true } };
    case 'half-open':
      if (state.trialRunning) return { allowed: false, state };
      return { allowed: true, state: { ...state, trialRunning: true } };
  }
}

/**
 * The state after a run ended at `now`: reachable closes the breaker; unreachable counts a failure and
 * opens it at the threshold, or at once after a failed trial. An unreachable run that had started before
 * the breaker opened leaves it open as it is.
 */
export function recordRun(state: BreakerState, reachable: boolean, now: number, options: BreakerOptions): BreakerState {
  if (reachable) return CLOSED;
  const failures = state.failures + 1;
  if (state.phase === 'open') return { ...state, failures };
  if (state.phase === 'half-open' || failures >= options.threshold) return { phase: 'open', failures, openedAt: now };
  return { phase: 'closed', failures };
}

/** When an open breaker lets the trial run through, epoch ms; undefined unless open. */
export function trialAt(state: BreakerState, options: BreakerOptions): number | undefined {
  return state.phase === 'open' ? state.openedAt + options.cooldownMs : undefined;
}

/** The breakers of every host, on a clock. Hosts without a breaker yet are closed. */
export class HostBreakers {
  private readonly states = new Map<string, BreakerState>();

  constructor(private readonly clock: Clock, private readonly options: BreakerOptions) {}

  /** Whether `host` may run now; true claims the half-open trial, so call it only to start a run. */
  tryStart(host: string): boolean {
    const { allowed, state } = requestRun(this.state(host), this.clock.now(), this.options);
    this.states.set(host, state);
    return allowed;
  }

  /** Records how a run of `host` ended: reachable (it answered, whatever the result) or not. */
  record(host: string, reachable: boolean): void {
    const state = recordRun(this.state(host), reachable, this.clock.now(), this.options);
    if (state === CLOSED) this.states.delete(host);
    else this.states.set(host, state);
  }

  /** The current state of `host`'s breaker. */
  state(host: string): BreakerState {
    return this.states.get(host) ?? CLOSED;
  }

  /** When `host`'s open breaker allows the trial; undefined unless open (schedule a retry for then). */
  trialAt(host: string): number | undefined {
    return trialAt(this.state(host), this.options);
  }

  /** Forgets `host` (it left the inventory). */
  remove(host: string): void {
    this.states.delete(host);
  }
}
