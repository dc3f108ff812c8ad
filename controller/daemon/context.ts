/**
 * What the controller's pieces share: one object built by controller.ts and passed to the worker,
 * the revision handler and the drift loop (no module-level state anywhere).
 */
import type { RunHostResult, Transport, UndoneRun } from '../reconcile/types.js';
import type { PreviewView } from './previews/types.js';
import type { HostBreakers } from './work/breaker.js';
import type { Clock } from './clock.js';
import type { Observations } from './observations.js';
import type { Connections } from './connections.js';
import type { FleetRevision } from './revisions/fleet.js';
import type { Logger } from './log.js';
import type { WorkQueue } from './work/queue.js';
import type { HostRecord, RunRecord, Trigger } from './state/records.js';
import type { ResourceConflict } from './state/conflicts.js';
import type { SyncRuns } from './work/runs.js';
import type { StateStore } from './state/state.js';
import type { DriftFacts } from './work/schedule.js';
import type { StatusContext } from './state/status.js';
import type { BlockedContext } from './state/blocked-by.js';
import type { RolloutCoordinator, RolloutView } from './rollouts/rollouts.js';
import type { PendingTriggers } from './work/triggers.js';
import type { DependencyHolds } from './work/dependencies.js';
import { waitingText } from '../rollout/index.js';

/** Hooks for metrics and tests; each is optional and must not throw. */
export interface DaemonEvents {
  /** A new revision passed the gate; its hosts are about to be queued. */
  revisionAccepted?: (revision: string) => void;
  runStarted?: (host: string, run: RunRecord) => void;
  runFinished?: (host: string, run: RunRecord, result: RunHostResult) => void;
  recordSaved?: (record: HostRecord) => void;
  /** Each fetch of the source: `revision` (its name) when it succeeded, the error code when not. */
  fetched?: (fetch: { ok: boolean; atMs: number; revision?: string; code?: string }) => void;
  /** The gate's verdict on a newly fetched revision. */
  revisionJudged?: (revision: string, valid: boolean) => void;
  /** A new SSH connection to `host` is ready after `durationMs`. */
  connected?: (host: string, durationMs: number) => void;
  /** A sync was asked for (API, CLI, webhook); `detail` names its run, hosts and the token that asked. */
  syncRequested?: (trigger: Trigger, detail?: SyncDetail) => void;
  /** A staged rollout changed (a wave passed, halted, resumed, a new revision). */
  rolloutChanged?: (rollouts: RolloutView[]) => void;
  /**
   * A preview finished (`state` done or failed), once: the hook for reporting back to the forge (commit
   * status, pull-request comment). `pullRequest` is set when a webhook started it; `hosts` are masked.
   * A copy: changing it changes nothing.
   */
  previewFinished?: (preview: PreviewView) => void;
  /** A newly fetched revision failed the gate: its problems, formatted `file:line:col  path  message`. */
  revisionRejected?: (revision: string, problems: string[]) => void;
  /** A host was suspended or resumed through the API; `actor` is the token's name. */
  hostSuspended?: (host: string, actor?: string) => void;
  hostResumed?: (host: string, actor?: string) => void;
  /** Halted rollouts (these lanes) were resumed through the API; `actor` is the token's name. */
  rolloutResumed?: (lanes: string[], actor?: string) => void;
  /** One attempt to deliver a commit status or a notification ended (metrics). */
  delivered?: (delivery: { channel: 'commitStatus' | 'notification'; target: string; result: 'success' | 'failure' | 'dropped' }) => void;
  /**
   * The lockout guard undid a run on `host` (E_LOCKED_OUT): the controller could not confirm it over a new
   * SSH connection within confirmWithin. Once per undo (an undo the probe finds later is reported then).
   */
  hostLockedOut?: (host: string, lockout: HostLockout) => void;
  /** A resource of `host` was marked Conflict (self-heal paused for it): once per Conflict. */
  resourceConflict?: (host: string, found: { revision: string; runId: string; conflict: ResourceConflict }) => void;
}

/** What hostLockedOut reports: the revision undone, the reason shown, and what the host put back when it told. */
export interface HostLockout {
  revision: string;
  reason: string;
  undone?: UndoneRun;
  runId: string;
}

/** What a sync asked for, for the event log. */
export interface SyncDetail {
  runId: string;
  hosts: string[];
  dryRun: boolean;
  /** The name of the API token that asked (absent: no token configured, or not through the API). */
  actor?: string;
}

/** The controller's shared parts. */
export interface DaemonContext {
  queue: WorkQueue;
  pending: PendingTriggers;
  store: StateStore;
  clock: Clock;
  log: Logger;
  connections: Connections;
  breakers: HostBreakers;
  syncRuns: SyncRuns;
  events: DaemonEvents;
  /** What the drift schedule reads of each host's record, kept current by every save (no record copies per tick). */
  driftFacts: Map<string, DriftFacts>;
  /** The fleet at the newest good revision; undefined until one is accepted. */
  fleet(): FleetRevision | undefined;
  /** Aborted when running applies must stop (the shutdown grace period is over). */
  stopRuns: AbortSignal;
  settings: {
    runTimeoutMs: number;
    selfHeal: boolean;
    driftIntervalMs: number;
    /** Suspended by the config (`suspendedHosts`). */
    suspendedByConfig: ReadonlySet<string>;
  };
  newRunId(): string;
  /** A NEW connection to `host`, outside the pool (the lockout guard confirms applies through it); absent: no guard. */
  connectFresh?: (host: string) => Promise<Transport>;
  /** Staged rollouts and maintenance windows (absent: every host applies at once). */
  rollouts?: RolloutCoordinator;
  /** Hosts held until the hosts they are `after:` are Synced (absent: none wait). */
  dependencies?: DependencyHolds;
  /** Each host's last whole observation, for previews (absent: none kept). */
  observations?: Observations;
}

/** The facts status.ts needs about `host` beyond its record. */
export function statusContext(ctx: DaemonContext, host: string): StatusContext {
  const status = sourceStatusContext(ctx, host);
  const waiting = ctx.dependencies?.reason(host);
  const held = ctx.rollouts?.heldReason(host) ?? (waiting && waitingText(waiting));
  if (held !== undefined) status.held = held;
  return status;
}

/**
 * The status context without the reasons a host is held (revision, rejection, breaker): what another
 * host's `after:` needs to know whether this one is Synced, without following holds from host to host.
 */
export function sourceStatusContext(ctx: DaemonContext, host: string): StatusContext {
  const source = ctx.store.controller();
  const status: StatusContext = {};
  if (source.lastGoodRevision !== undefined) status.desiredRevision = source.lastGoodRevision;
  if (source.rejected) {
    const first = source.rejected.problems[0];
    const problem = first ? `${first.file}:${first.line}:${first.col}  ${first.path || '.'}  ${first.message}` : 'invalid';
    status.rejected = { revision: source.rejected.revision, problem };
  }
  const breaker = ctx.breakers.state(host);
  const trialAt = ctx.breakers.trialAt(host);
  status.breaker = { phase: breaker.phase, failures: breaker.failures, ...(trialAt === undefined ? {} : { trialAt }) };
  const hash = ctx.fleet()?.hashes.get(host);
  if (hash !== undefined) status.desiredHash = hash;
  return status;
}

/** The facts blocked-by.ts needs about `host` beyond its record: its status context, rollout hold, next retry. */
export function blockedContext(ctx: DaemonContext, host: string): BlockedContext {
  const context: BlockedContext = { ...statusContext(ctx, host), suspendedByConfig: ctx.settings.suspendedByConfig.has(host) };
  const hold = ctx.rollouts?.hold(host);
  if (hold) context.hold = hold;
  const waiting = ctx.dependencies?.reason(host);
  if (waiting) context.waiting = waiting;
  const retryAt = ctx.queue.waitingUntil(host);
  if (retryAt !== undefined) context.retryAt = retryAt;
  return context;
}

/** Whether `host` should apply drift it finds: its manifests' `reconcile.mode`, else the config's selfHeal. */
export function selfHeals(ctx: DaemonContext, host: string): boolean {
  const mode = ctx.fleet()?.hosts.get(host)?.host.reconcile?.mode;
  return mode === undefined ? ctx.settings.selfHeal : mode === 'selfHeal';
}

/** The fields of a record the drift schedule reads. */
export function driftFactsOf(record: HostRecord): DriftFacts {
  const facts: DriftFacts = { host: record.host, suspended: record.suspended };
  if (record.removedAt !== undefined) facts.removedAt = record.removedAt;
  if (record.running !== undefined) facts.running = record.running;
  if (record.lastAttemptAt !== undefined) facts.lastAttemptAt = record.lastAttemptAt;
  return facts;
}
