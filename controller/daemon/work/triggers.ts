/**
 * Why each queued host is to run. The queue carries only host names (level-based); this map says
 * what the next run of a host should do, merging every trigger since its last run: applying beats
 * planning, and every manual sync waiting for the host gets the run's result.
 */
import type { Trigger } from '../state/records.js';

/** The merged reasons for a host's next run. */
export interface PendingRun {
  /** The most significant trigger (revision > manual > webhook > startup > retry > drift). */
  trigger: Trigger;
  /** Apply (else observe and plan only). */
  apply: boolean;
  /** Manual syncs waiting for this host's run. */
  runIds: string[];
  /** Apply even outside the host's maintenance windows (a sync with overrideWindow). */
  overrideWindow?: boolean;
  /** Clear the host's Conflicts and apply their resources again (a sync with forceConflict). */
  forceConflict?: boolean;
}

const RANK: Readonly<Record<Trigger, number>> = { revision: 6, manual: 5, webhook: 4, startup: 3, retry: 2, drift: 1 };

/** Pending reasons by host. */
export class PendingTriggers {
  private readonly pending = new Map<string, PendingRun>();

  /** Merges a trigger into the host's next run. */
  add(host: string, trigger: Trigger, options: { apply: boolean; runId?: string; overrideWindow?: boolean; forceConflict?: boolean }): void {
    const current = this.pending.get(host);
    const runIds = [...(current?.runIds ?? []), ...(options.runId ? [options.runId] : [])];
    const top = current && RANK[current.trigger] >= RANK[trigger] ? current.trigger : trigger;
    const overrideWindow = (current?.overrideWindow ?? false) || options.overrideWindow === true;
    const forceConflict = (current?.forceConflict ?? false) || options.forceConflict === true;
    this.pending.set(host, {
      trigger: top, apply: (current?.apply ?? false) || options.apply, runIds, ...(overrideWindow ? { overrideWindow } : {}), ...(forceConflict ? { forceConflict } : {}),
    });
  }

  /** Takes (and clears) the host's reasons; undefined when nothing is pending. */
  take(host: string): PendingRun | undefined {
    const run = this.pending.get(host);
    this.pending.delete(host);
    return run;
  }

  /** True when the host has a run pending. */
  has(host: string): boolean {
    return this.pending.has(host);
  }

  /** Forgets a host (it left the inventory); returns the manual syncs that were waiting for it. */
  drop(host: string): string[] {
    const run = this.pending.get(host);
    this.pending.delete(host);
    return run?.runIds ?? [];
  }
}
