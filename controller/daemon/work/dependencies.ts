/**
 * Hosts that wait for hosts (`after:`): a host with a new desired state is applied only once every host
 * it is after is Synced on the newest revision. Until then its runs are plans (like a closed window's) and
 * its status says `waiting for db1 ...`; it is queued again when one of those hosts' runs finishes (the
 * worker calls finished()), never by polling. Held hosts are kept in memory: after a restart the revision
 * queues them again and they are gated afresh.
 */
import { waitingFor, type WaitingForHosts } from '../../rollout/index.js';
import { sourceStatusContext, type DaemonContext } from '../context.js';
import { newHostRecord } from '../state/records.js';
import { deriveStatus } from '../state/status.js';
import { updateHost } from '../state/update-host.js';
import { enqueue } from './enqueue.js';

/** The hosts held for their `after:` hosts. */
export class DependencyHolds {
  /** Held host -> the hosts it is after. */
  private readonly held = new Map<string, readonly string[]>();

  constructor(private readonly ctx: DaemonContext) {}

  /**
   * Whether `host` may apply the newest revision now: undefined when it may (nothing new for it, or
   * its `after:` hosts are Synced on that revision), else why not; it is then held until they are.
   */
  gate(host: string): WaitingForHosts | undefined {
    const fleet = this.ctx.fleet();
    const after = fleet?.hosts.get(host)?.host.after ?? [];
    const record = this.ctx.store.latestHost(host);
    // Only a new desired state waits: drift repairs of a host already on the revision go on.
    const current = record?.desiredHash !== undefined && record.desiredHash === fleet?.hashes.get(host);
    const waiting = after.length > 0 && !current ? this.lookup(after) : undefined;
    if (waiting) this.held.set(host, after);
    else this.held.delete(host);
    return waiting;
  }

  /** Why a held host waits, from its `after:` hosts' records now; undefined for a host not held (or free to go). */
  reason(host: string): WaitingForHosts | undefined {
    const after = this.held.get(host);
    return after && this.lookup(after);
  }

  /**
   * A run of `host` finished (its record saved): the hosts held for it that may go now, no longer held.
   * Hosts still waiting keep their hold; their status reason is derived afresh when read.
   */
  finished(host: string): string[] {
    const free: string[] = [];
    for (const [waiter, after] of this.held) {
      if (!after.includes(host) || this.lookup(after) !== undefined) continue;
      this.held.delete(waiter);
      free.push(waiter);
    }
    return free;
  }

  /** The hosts held for `host` (their status reasons name it). */
  waitersOf(host: string): string[] {
    return [...this.held].filter(([, after]) => after.includes(host)).map(([waiter]) => waiter);
  }

  /** Forgets a host (it left the inventory). */
  forget(host: string): void {
    this.held.delete(host);
  }

  private lookup(after: readonly string[]): WaitingForHosts | undefined {
    const fleet = this.ctx.fleet();
    if (!fleet) return undefined;
    return waitingFor({
      after, revision: fleet.revision,
      lookup: (dep) => {
        // A host of another shard (or gone from the inventory) is not waited for: its record is not here.
        if (!fleet.hosts.has(dep)) return undefined;
        const record = this.ctx.store.latestHost(dep) ?? newHostRecord(dep);
        const derived = deriveStatus(record, sourceStatusContext(this.ctx, dep));
        const revision = record.lastAppliedRevision ?? record.history[0]?.revision;
        return { status: derived.status, ...(revision ? { revision } : {}), ...(derived.status === 'Synced' ? {} : { detail: derived.reason }) };
      },
    });
  }
}

/**
 * After a run of `host` was saved: queues (to apply) the hosts held for it that may go now, and derives
 * afresh the stored status of those still waiting (their reason names its new state).
 */
export function releaseWaiters(ctx: DaemonContext, host: string): void {
  if (!ctx.dependencies) return;
  const free = ctx.dependencies.finished(host);
  for (const waiter of free) {
    ctx.log.info({ host: waiter, after: host }, `${waiter}: the hosts it is after are Synced; applying`);
    enqueue(ctx, waiter, { trigger: 'revision', apply: true });
  }
  for (const waiter of ctx.dependencies.waitersOf(host)) updateHost(ctx, waiter, (r) => r).written.catch(() => undefined);
}
