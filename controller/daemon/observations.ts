/**
 * The last whole observation of each host, kept in memory for a short time, so a preview plans from it
 * instead of probing the host again: right after a run (the apply's own verify probe, a drift check)
 * the controller knows each host as it is. An entry serves only a desired state with the same
 * observationScope (the same probe), and only while it is younger than `maxAgeMs`. It holds host data
 * unmasked, so it never leaves the process (no state file, no API, no log).
 *
 * A run that is about to change a host first forgets it (`forget`), and an observation that began
 * before the host was last forgotten is not kept: a preview that observed a host while an apply ran
 * there cannot leave the state from before the apply behind.
 */
import type { DesiredState } from '../../manifests/types.js';
import { observationScope } from '../reconcile/observe.js';
import type { ObservedState } from '../reconcile/types.js';
import type { Clock } from './clock.js';

/** What the controller last saw of its hosts. */
export interface Observations {
  /** Keeps `observed`, made for `desired` by a probe that began at `since` (clock ms). */
  record(host: string, desired: DesiredState, observed: ObservedState, since: number): void;
  /** Drops what is known of `host` (a run is about to change it, or ended somewhere unknown). */
  forget(host: string): void;
  /** An observation of `host` younger than maxAgeMs that serves `desired`, or undefined. */
  fresh(host: string, desired: DesiredState): ObservedState | undefined;
  /** Entries held (for tests and the scale bench). */
  size(): number;
}

interface Entry {
  observed: ObservedState;
  at: number;
  desired: DesiredState;
  /** observationScope(desired), computed when a reader first needs it. */
  scope?: string;
}

/** The observations of one controller; with maxAgeMs 0 it keeps nothing. */
export function createObservations(options: { clock: Clock; maxAgeMs: number }): Observations {
  const { clock, maxAgeMs } = options;
  const entries = new Map<string, Entry>();
  const forgotten = new Map<string, number>();
  let sweptAt = clock.now();
  // Stale entries go at most once per maxAgeMs, so a quiet fleet holds nothing for long.
  const sweep = (now: number): void => {
    if (now - sweptAt < maxAgeMs) return;
    sweptAt = now;
    for (const [host, entry] of entries) if (now - entry.at > maxAgeMs) entries.delete(host);
    for (const [host, at] of forgotten) if (now - at > maxAgeMs) forgotten.delete(host);
  };
  const scopeOf = (entry: Entry): string => (entry.scope ??= observationScope(entry.desired));
  return {
    record(host, desired, observed, since) {
      if (maxAgeMs <= 0 || since < (forgotten.get(host) ?? -Infinity)) return;
      const now = clock.now();
      entries.set(host, { observed, at: now, desired });
      sweep(now);
    },
    forget(host) {
      if (maxAgeMs <= 0) return;
      entries.delete(host);
      forgotten.set(host, clock.now());
    },
    fresh(host, desired) {
      const now = clock.now();
      sweep(now);
      const entry = entries.get(host);
      if (!entry) return undefined;
      if (now - entry.at > maxAgeMs) {
        entries.delete(host);
        return undefined;
      }
      if (entry.desired !== desired && scopeOf(entry) !== observationScope(desired)) return undefined;
      return entry.observed;
    },
    size: () => entries.size,
  };
}
