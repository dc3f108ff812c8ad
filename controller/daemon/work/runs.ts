/**
 * Manual syncs (`sync(hosts, dryRun)` -> runId) and their progress: which hosts are still waiting,
 * and how each one ended. Kept in memory, the newest MAX_RUNS.
 */
import type { RunResult } from '../state/records.js';

/** One manual sync and its hosts. */
export interface SyncRun {
  id: string;
  dryRun: boolean;
  createdAt: number;
  /** Done when no host is waiting or running any more. */
  state: 'pending' | 'running' | 'done';
  hosts: Record<string, { state: 'waiting' | 'running' | 'done'; result?: RunResult | 'skipped'; reason?: string; revision?: string }>;
}

const MAX_RUNS = 200;

/** The registry of manual syncs. */
export class SyncRuns {
  private readonly runs = new Map<string, SyncRun>();
  private counter = 0;

  /** Registers a sync of `hosts`; returns its run. */
  create(hosts: string[], options: { dryRun: boolean; now: number }): SyncRun {
    this.counter++;
    const id = `sync-${options.now.toString(36)}-${this.counter}`;
    const run: SyncRun = { id, dryRun: options.dryRun, createdAt: options.now, state: hosts.length ? 'pending' : 'done', hosts: {} };
    for (const host of hosts) run.hosts[host] = { state: 'waiting' };
    this.runs.set(id, run);
    for (const old of [...this.runs.keys()].slice(0, Math.max(0, this.runs.size - MAX_RUNS))) this.runs.delete(old);
    return run;
  }

  /** A copy of the run, or undefined. */
  get(id: string): SyncRun | undefined {
    const run = this.runs.get(id);
    return run && structuredClone(run);
  }

  /** The host's run started for these syncs. */
  started(ids: readonly string[], host: string): void {
    this.update(ids, host, { state: 'running' });
  }

  /** The host's run ended (or was skipped) for these syncs. */
  finished(ids: readonly string[], host: string, outcome: { result: RunResult | 'skipped'; reason?: string; revision?: string }): void {
    this.update(ids, host, { state: 'done', ...outcome });
  }

  private update(ids: readonly string[], host: string, entry: SyncRun['hosts'][string]): void {
    for (const id of ids) {
      const run = this.runs.get(id);
      if (!run || !run.hosts[host]) continue;
      run.hosts[host] = entry;
      const states = Object.values(run.hosts).map((h) => h.state);
      run.state = states.every((s) => s === 'done') ? 'done' : states.some((s) => s !== 'waiting') ? 'running' : 'pending';
    }
  }
}
