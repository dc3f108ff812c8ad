/**
 * `drover reconcile` in `after:` order: a host is applied once the hosts it is after (those in this run)
 * have finished and converged; when one of them did not, the host is held (planned, not applied) with the
 * reason `waiting for db1 (failed: ...)`. Hosts outside the run (not selected, or not planned) are not
 * waited for: the CLI has no memory of their state.
 */
import type { DesiredState } from '../../manifests/types.js';
import { waitingFor, type WaitingForHosts } from '../rollout/index.js';
import { converged } from './pipeline.js';
import type { HostResult } from './types.js';

/** The revision name `drover reconcile` gives its waiting reasons (it applies the working tree). */
export const WORKING_TREE = 'working tree';

/** When each host of a run finished, and how: what hosts after it wait on. */
export class HostOrder {
  private readonly done = new Map<string, { result: Promise<HostResult>; settle: (r: HostResult) => void }>();
  private readonly after: ReadonlyMap<string, readonly string[]>;

  /** `hosts`: every host of the run (each must be settled exactly once, or the hosts after it wait forever). */
  constructor(hosts: readonly DesiredState[]) {
    this.after = new Map(hosts.map((d) => [d.host.name, d.host.after ?? []]));
    for (const d of hosts) {
      let settle: (r: HostResult) => void = () => undefined;
      const result = new Promise<HostResult>((resolve) => { settle = resolve; });
      this.done.set(d.host.name, { result, settle });
    }
  }

  /** Records how `result.host` ended (once; later calls are ignored). */
  settle(result: HostResult): void {
    this.done.get(result.host)?.settle(result);
  }

  /**
   * Resolves once every host `host` is after (in this run) has been settled: undefined when all of
   * them converged, else the reason to hold `host`.
   */
  async blockedBy(host: string): Promise<WaitingForHosts | undefined> {
    const deps = (this.after.get(host) ?? []).filter((d) => this.done.has(d));
    const results = new Map(await Promise.all(deps.map(async (d) => [d, await this.done.get(d)!.result] as const)));
    return waitingFor({
      after: deps, revision: WORKING_TREE,
      lookup: (d) => {
        const r = results.get(d)!;
        if (converged(r)) return { status: 'Synced', revision: WORKING_TREE };
        const detail = r.held ?? r.error?.message.split('\n')[0];
        return { status: r.outcome, ...(detail ? { detail } : {}) };
      },
    });
  }
}
