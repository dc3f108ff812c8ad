/**
 * When things are due: the next fetch of the source and the drift checks of hosts. Pure functions of
 * times and records; the controller sets one timer for the earliest answer and asks again when it fires.
 */
import type { Random } from '../clock.js';
import type { HostRecord } from '../state/records.js';

/** The source's fetch cadence (config `source.interval` and `source.jitter`). */
export interface FetchSchedule {
  intervalMs: number;
  /** Up to this much random delay is added to each interval, so replicas do not fetch in lockstep. */
  jitterMs: number;
  random: Random;
}

/** When to fetch next after a fetch at `from` (epoch ms): `from + interval + random·jitter`, whole ms. */
export function nextFetchAt(from: number, schedule: FetchSchedule): number {
  return from + schedule.intervalMs + Math.floor(schedule.random() * schedule.jitterMs);
}

/** What the drift schedule reads from a host's record. */
export type DriftFacts = Pick<HostRecord, 'host' | 'suspended' | 'removedAt' | 'running' | 'lastAttemptAt'>;

/** The answer of driftChecksDue. */
export interface DriftDue {
  /** Hosts whose drift check is due at `now`, in the order given. */
  due: string[];
  /** The earliest time a host not due now falls due (set a timer for it); undefined when none will. */
  nextDueAt?: number;
}

/**
 * Which hosts need a drift check at `now`: those never attempted, or last attempted (any run observes
 * the host) at least `intervalMs` ago. Suspended and removed hosts are never checked, and a host being
 * run is checked by that run.
 */
export function driftChecksDue(hosts: readonly DriftFacts[], now: number, intervalMs: number): DriftDue {
  const due: string[] = [];
  let nextDueAt: number | undefined;
  for (const h of hosts) {
    if (h.suspended || h.removedAt !== undefined || h.running !== undefined) continue;
    const dueAt = h.lastAttemptAt === undefined ? now : h.lastAttemptAt + intervalMs;
    if (dueAt <= now) due.push(h.host);
    else if (nextDueAt === undefined || dueAt < nextDueAt) nextDueAt = dueAt;
  }
  return nextDueAt === undefined ? { due } : { due, nextDueAt };
}
