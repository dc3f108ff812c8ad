/**
 * The controller's read/command interface (what `drover controller` offers the HTTP API and tests):
 * status, hosts, host, sync -> runId, run progress, suspend, resume, triggerFetch. Answers are copies
 * built from the state store; statuses are derived when read, so they are never stale.
 */
import { DroverError, formatProblem } from '../../manifests/errors.js';
import { didYouMean } from '../../manifests/messages.js';
import { blockedContext, type DaemonContext } from './context.js';
import { blockedBy, type BlockedBy } from './state/blocked-by.js';
import type { QueueCounts } from './work/queue.js';
import { HOST_STATUSES, newHostRecord, type ControllerRecord, type HostRecord, type HostStatus, type RunRecord } from './state/records.js';
import type { SyncRun } from './work/runs.js';
import type { RolloutView } from './rollouts/rollouts.js';
import type { WaitingForHosts } from '../rollout/index.js';
import { HostOtherShardError } from './revisions/shard.js';
import { deriveStatus } from './state/status.js';
import { updateHost } from './state/update-host.js';
import { enqueue } from './work/enqueue.js';
import type { Previews } from './previews/previews.js';
import type { PreviewRequest, PreviewView } from './previews/types.js';
import type { EventReader } from './report/event-log.js';
import type { EventPage, EventQuery } from './report/event-query.js';
import type { CommitInfo } from '../source/index.js';
import type { ChangeFeed, FleetChange } from './changes.js';
import type { CommitCatalog } from './commits.js';

/**
 * A host as the API shows it (no history). `waitingFor`: the hosts it is `after:` that are not Synced on
 * the revision it is to apply, while it is held for them (its reason then starts `waiting for`).
 * `blockedBy`: why it is not Synced on the newest good revision (state/blocked-by.ts).
 */
export type HostView = Omit<HostRecord, 'history' | 'desiredHash' | 'repairs'> & { waitingFor?: WaitingForHosts; blockedBy?: BlockedBy };

/** A host with its run history (newest first). */
export interface HostDetail extends HostView {
  history: RunRecord[];
}

/** The controller at a glance. */
export interface ControllerStatus {
  /** The source record (controller.json), with a rejected revision's problems formatted as lines. */
  source: Omit<ControllerRecord, 'rejected'> & { rejected?: { revision: string; problems: string[]; at: number } };
  /** False until a first good revision is loaded. */
  ready: boolean;
  hosts: { total: number; byStatus: Record<HostStatus, number> };
  queue: QueueCounts;
  /** Staged rollouts of the newest good revision, one per lane (`default` or a group with its own policy). */
  rollouts: RolloutView[];
  /** Whether the state dir takes writes: `failing` from a failed write until one succeeds (readiness, metrics). */
  state: { writable: boolean; writeFailures: number; failing?: { since: number; message: string } };
}

/** What a sync asks for. */
export interface SyncRequest {
  /** Default: every host. */
  hosts?: string[];
  /** Plan only, change nothing. */
  dryRun?: boolean;
  trigger?: 'manual' | 'webhook';
  /** Apply even outside the hosts' maintenance windows. */
  overrideWindow?: boolean;
  /** Clear the hosts' Conflicts (resources self-heal paused for) and apply those resources again. */
  forceConflict?: boolean;
  /** Who asked: the API token's name (kept in the event log). */
  actor?: string;
}

/** Who made a command (the API token's name), for the event log. */
export interface ActorOption {
  actor?: string;
}

/** The read/command interface. Commands throw DroverError with a stable code for bad input. */
export interface ControllerApi {
  status(): ControllerStatus;
  /** Live hosts (in the inventory at the newest good revision), sorted by name. */
  hosts(): HostView[];
  /**
   * One host, live or removed (then `removedAt` is set); undefined when never known. Throws
   * HostOtherShardError (E_HOST_OTHER_SHARD, with the owning shard) for a host another replica owns.
   */
  host(name: string): HostDetail | undefined;
  /**
   * Queues a run of `hosts` (default: this replica's). E_HOST_UNKNOWN naming unknown ones,
   * E_HOST_OTHER_SHARD for one another replica owns, E_NOT_READY before a first good revision.
   */
  sync(request: SyncRequest): { runId: string };
  /** A sync's progress, per host; undefined for an unknown id. */
  run(id: string): SyncRun | undefined;
  /** Stops reconciling a host (persisted; a run in progress finishes). */
  suspend(name: string, options?: ActorOption): Promise<HostView>;
  /** Reconciles a host again: at once, applying the newest good revision (like a manual sync). */
  resume(name: string, options?: ActorOption): Promise<HostView>;
  /** Fetches the source now (webhooks); resolves when that fetch and its gate are done. */
  triggerFetch(): Promise<void>;
  /** Resumes halted rollouts (one lane, default all) by hand; E_ROLLOUT_NOT_HALTED when none is halted. */
  resumeRollout(request?: { lane?: string } & ActorOption): RolloutView[];
  /**
   * Previews a ref: fetched now (the followed branch does not move), then every host observed and planned
   * at its revision, never applied; resolves with the preview, pending. E_SOURCE_REF_NOT_FOUND (404) for an
   * unknown ref, E_PREVIEW_LIMIT; see Previews.start.
   */
  startPreview(request: PreviewRequest): Promise<PreviewView>;
  /** A preview by id; undefined when unknown or expired. */
  preview(id: string): PreviewView | undefined;
  /** A page of the event log (docs/report.md); E_EVENT_LOG when it cannot be read. */
  events(query: EventQuery): Promise<EventPage>;
  /**
   * The commits of `revisions` (names), keyed by name: subject, author, time and how many commits each is
   * behind the newest fetched revision. Names whose commit is unknown are left out; {} without a source.
   */
  commits(revisions: readonly string[]): Promise<Record<string, CommitInfo>>;
  /** The groups of each live host (at the newest good revision), by host name. */
  groups(): Record<string, string[]>;
  /** Calls `listener` whenever a host or the fleet changes, until the returned function is called. */
  watch(listener: (change: FleetChange) => void): () => void;
}

function stateHealth(ctx: DaemonContext): ControllerStatus['state'] {
  const health = ctx.store.writeHealth();
  const failing = health.failing && { since: health.failing.since, message: health.failing.message };
  return { writable: !failing, writeFailures: health.failures, ...(failing ? { failing } : {}) };
}

/** Builds the API over the controller's parts. */
export function createApi(ctx: DaemonContext, deps: {
  triggerFetch: () => Promise<void>; previews?: Pick<Previews, 'start' | 'get'>; events?: EventReader; commits?: CommitCatalog; changes?: Pick<ChangeFeed, 'subscribe'>;
}): ControllerApi {
  const view = (stored: HostRecord): HostView => {
    // A host in the config's suspendedHosts is Suspended from the start, not only once the worker
    // has met it and saved it so (until then a sync would be accepted and the status look wrong).
    const record = !stored.suspended && ctx.settings.suspendedByConfig.has(stored.host) ? { ...stored, suspended: true } : stored;
    const { history: _history, desiredHash: _hash, repairs: _repairs, ...rest } = record;
    const waitingFor = ctx.dependencies?.reason(record.host);
    const context = blockedContext(ctx, record.host);
    const derived = deriveStatus(record, context);
    const blocked = record.removedAt === undefined ? blockedBy(record, derived.status, context) : undefined;
    return { ...rest, ...derived, ...(waitingFor ? { waitingFor } : {}), ...(blocked ? { blockedBy: blocked } : {}) };
  };
  const live = (): string[] => [...(ctx.fleet()?.hosts.keys() ?? [])].sort();
  // A host another replica owns is named with its owner, so a client (or a router) can ask that one.
  const notOtherShard = (name: string): void => {
    const fleet = ctx.fleet();
    const owner = fleet?.others.get(name);
    if (owner !== undefined && fleet?.shard) throw new HostOtherShardError(name, { index: owner, count: fleet.shard.count }, fleet.shard);
  };
  const known = (name: string): void => {
    if (ctx.fleet()?.hosts.has(name)) return;
    notOtherShard(name);
    throw new DroverError('E_HOST_UNKNOWN', `unknown host "${name}"${didYouMean(name, live())}`);
  };
  const api: ControllerApi = {
    status() {
      const source = ctx.store.controller();
      const byStatus = Object.fromEntries(HOST_STATUSES.map((s) => [s, 0])) as Record<HostStatus, number>;
      const hosts = api.hosts();
      for (const h of hosts) byStatus[h.status]++;
      const { rejected, ...rest } = source;
      return {
        source: { ...rest, ...(rejected ? { rejected: { revision: rejected.revision, problems: rejected.problems.map(formatProblem), at: rejected.at } } : {}) },
        ready: ctx.fleet() !== undefined,
        hosts: { total: hosts.length, byStatus },
        queue: ctx.queue.counts(),
        rollouts: ctx.rollouts?.views() ?? [],
        state: stateHealth(ctx),
      };
    },
    // The list shows no history: copy only the newest run (the status needs it), not all 50 per host.
    hosts: () => live().map((name) => view(ctx.store.latestHost(name) ?? newHostRecord(name))),
    host(name) {
      notOtherShard(name);
      const record = ctx.store.host(name) ?? (ctx.fleet()?.hosts.has(name) ? newHostRecord(name) : undefined);
      return record && { ...view(record), history: record.history };
    },
    sync(request) {
      if (!ctx.fleet()) throw new DroverError('E_NOT_READY', 'no valid revision loaded yet; try again once the first fetch has succeeded');
      const hosts = request.hosts?.length ? [...new Set(request.hosts)] : live();
      hosts.forEach(known);
      const dryRun = request.dryRun ?? false;
      const run = ctx.syncRuns.create(hosts, { dryRun, now: ctx.clock.now() });
      for (const host of hosts) {
        enqueue(ctx, host, {
          trigger: request.trigger ?? 'manual', apply: !dryRun, runId: run.id,
          ...(request.overrideWindow ? { overrideWindow: true } : {}), ...(request.forceConflict && !dryRun ? { forceConflict: true } : {}),
        });
      }
      ctx.log.info({ runId: run.id, hosts: hosts.length, dryRun, trigger: request.trigger ?? 'manual', actor: request.actor }, 'sync requested');
      ctx.events.syncRequested?.(request.trigger ?? 'manual', { runId: run.id, hosts, dryRun, ...(request.actor === undefined ? {} : { actor: request.actor }) });
      return { runId: run.id };
    },
    run: (id) => ctx.syncRuns.get(id),
    async suspend(name, options = {}) {
      known(name);
      const { saved, written } = updateHost(ctx, name, (r) => ({ ...r, suspended: true }));
      await written;
      ctx.log.info({ host: name, actor: options.actor }, `${name} suspended`);
      ctx.events.hostSuspended?.(name, options.actor);
      return view(saved);
    },
    async resume(name, options = {}) {
      known(name);
      if (ctx.settings.suspendedByConfig.has(name)) {
        throw new DroverError('E_SUSPENDED_BY_CONFIG', `${name} is suspended by the controller config (suspendedHosts); remove it there and restart the controller`);
      }
      const { saved, written } = updateHost(ctx, name, (r) => ({ ...r, suspended: false }));
      await written;
      // An explicit resume reconciles at once, like a manual sync: the host applies the newest good revision.
      enqueue(ctx, name, { trigger: 'manual', apply: true });
      ctx.log.info({ host: name, actor: options.actor }, `${name} resumed`);
      ctx.events.hostResumed?.(name, options.actor);
      return view(saved);
    },
    triggerFetch: deps.triggerFetch,
    startPreview(request) {
      if (!deps.previews) throw new DroverError('E_INTERNAL', 'this controller was built without previews');
      return deps.previews.start(request);
    },
    preview: (id) => deps.previews?.get(id),
    resumeRollout(request = {}) {
      if (!ctx.rollouts) throw new DroverError('E_ROLLOUT_NOT_HALTED', 'no rollout is halted; nothing to resume');
      const halted = ctx.rollouts.views().filter((v) => v.halted && (request.lane === undefined || v.lane === request.lane)).map((v) => v.lane);
      const views = ctx.rollouts.resume(request.lane);
      ctx.events.rolloutResumed?.(halted, request.actor);
      return views;
    },
    events: (query) => deps.events?.query(query) ?? Promise.resolve({ events: [], next: null, more: false }),
    commits: (revisions) => deps.commits?.describe(revisions, ctx.store.controller().newestRevision) ?? Promise.resolve({}),
    groups: () => Object.fromEntries([...(ctx.fleet()?.hosts ?? new Map())].map(([name, desired]) => [name, [...(desired.host?.groups ?? [])]])),
    watch: (listener) => deps.changes?.subscribe(listener) ?? (() => undefined),
  };
  return api;
}
