/**
 * What a newly accepted revision does to the fleet: hosts whose desired state changed (or that need
 * re-observing after a crash) are queued to apply; hosts it does not affect move to it without a run;
 * hosts gone from the inventory leave the queue, their connection and the live status, never to be
 * touched again (their record is kept, marked removed).
 */
import type { DesiredState } from '../../../manifests/types.js';
import type { DaemonContext } from '../context.js';
import { affectedHosts } from './fingerprint.js';
import type { FleetRevision } from './fleet.js';
import type { HostRecord } from '../state/records.js';
import { needsReobservation } from '../state/status.js';
import { updateHost } from '../state/update-host.js';
import { enqueue } from '../work/enqueue.js';

/** Installs `next` as the fleet (through `setFleet`) and queues what it affects. */
export async function adoptRevision(ctx: DaemonContext, next: FleetRevision, setFleet: (fleet: FleetRevision) => void): Promise<{ affected: string[]; unaffected: string[]; removed: string[] }> {
  const previous = ctx.fleet();
  const records = new Map(ctx.store.hosts().map((r) => [r.host, r]));
  const before = previous?.hashes ?? hashesOfRecords(records);
  const { affected, unaffected } = affectedHosts(before, next.hashes);
  // A host held back by a rollout or window is still on an older state: it has the revision to apply too.
  for (const host of unaffected) {
    const hash = records.get(host)?.desiredHash;
    if (hash !== undefined && hash !== next.hashes.get(host) && !affected.includes(host)) affected.push(host);
  }
  setFleet(next);
  const removed = [...records.values()].filter((r) => r.removedAt === undefined && !next.hosts.has(r.host)).map((r) => r.host);
  for (const host of removed) await removeHost(ctx, host);
  for (const host of unaffected) {
    const record = records.get(host);
    if (record && needsReobservation(record)) affected.push(host);
    else if (record) await moveWithoutRun(ctx, host, next.revision);
  }
  const releasedNow = new Set(ctx.rollouts ? ctx.rollouts.onRevision(next, affected) : affected);
  for (const host of affected) {
    const record = records.get(host);
    if (record?.removedAt !== undefined) await updateHost(ctx, host, withoutRemovedAt).written;
    if (previous && connectionChanged(previous.hosts.get(host), next.hosts.get(host))) await ctx.connections.drop(host);
    if (!releasedNow.has(host) && !(record && needsReobservation(record))) continue;
    enqueue(ctx, host, { trigger: record && needsReobservation(record) ? 'startup' : 'revision', apply: true });
  }
  const untouched = unaffected.filter((h) => !affected.includes(h));
  ctx.log.info({ revision: next.revision, affected: affected.length, unaffected: untouched.length, removed: removed.length },
    `revision ${next.revision}: ${affected.length} host${affected.length === 1 ? '' : 's'} to reconcile`);
  return { affected, unaffected: untouched, removed };
}

/** Hash of each live host's last converged desired state (after a restart there is no previous fleet). */
function hashesOfRecords(records: ReadonlyMap<string, HostRecord>): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of records.values()) if (r.removedAt === undefined && r.desiredHash !== undefined) out.set(r.host, r.desiredHash);
  return out;
}

/**
 * A host the revision does not change is on it already, if its last run left it in sync. Decided on the
 * newest record (a run may have finished since the revision came in), never on a copy taken before.
 */
async function moveWithoutRun(ctx: DaemonContext, host: string, revision: string): Promise<void> {
  await updateHost(ctx, host, (record) => {
    const last = record.history[0]?.result;
    if (record.running || (last !== 'in-sync' && last !== 'applied') || record.lastAppliedRevision === revision) return undefined;
    return { ...record, lastAppliedRevision: revision };
  }).written;
}

function withoutRemovedAt(record: HostRecord): HostRecord {
  const { removedAt: _removedAt, ...rest } = record;
  return rest;
}

async function removeHost(ctx: DaemonContext, host: string): Promise<void> {
  ctx.queue.remove(host);
  ctx.syncRuns.finished(ctx.pending.drop(host), host, { result: 'skipped', reason: 'left the inventory' });
  ctx.breakers.remove(host);
  ctx.dependencies?.forget(host);
  await ctx.connections.drop(host);
  await ctx.store.markRemoved(host, ctx.clock.now());
  ctx.log.info({ host }, `${host} left the inventory: no longer reconciled`);
}

function connectionChanged(a: DesiredState | undefined, b: DesiredState | undefined): boolean {
  if (!a || !b) return false;
  return a.host.address !== b.host.address || a.host.port !== b.host.port || a.host.user !== b.host.user || a.host.sudo !== b.host.sudo;
}
