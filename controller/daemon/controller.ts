/**
 * The controller: wires the source loop, the gate, the queue and its workers, the drift loop and the
 * state store together, and exposes the small read/command interface the CLI and the HTTP API use
 * (see ControllerApi). Each piece lives in its own module; this one only connects them.
 */
import { DroverError } from '../../manifests/errors.js';
import type { ManifestValidator } from '../../manifests/validate.js';
import { createManifestValidator } from '../../manifests/validate.js';
import type { ControllerSettings } from '../config/index.js';
import { createHostPool, freshConnector, type HostPoolOptions } from '../reconcile/session.js';
import type { SshSettings } from '../reconcile/ssh-settings.js';
import { createGitSource, parseRevisionName, type GitSource } from '../source/index.js';
import { HostBreakers } from './work/breaker.js';
import { systemClock, systemRandom, type Clock, type Random } from './clock.js';
import { createConnections } from './connections.js';
import { driftFactsOf, type DaemonContext, type DaemonEvents } from './context.js';
import { createDriftLoop } from './work/drift.js';
import { validateRevision, type GateResult } from './revisions/validate-revision.js';
import { fleetRevision, type FleetRevision } from './revisions/fleet.js';
import type { Logger } from './log.js';
import { WorkQueue } from './work/queue.js';
import { adoptRevision } from './revisions/adopt-revision.js';
import { SyncRuns } from './work/runs.js';
import { createSourceLoop } from './revisions/source-loop.js';
import { mkdir } from 'node:fs/promises';
import { acquireStateLock, type StateLock } from './state/lock.js';
import { openStateStore, type StateStore } from './state/state.js';
import { recoverAfterCrash } from './state/status.js';
import { PendingTriggers } from './work/triggers.js';
import { createApi, type ControllerApi } from './api.js';
import { RolloutCoordinator } from './rollouts/rollouts.js';
import { runWorker } from './work/worker.js';
import { DependencyHolds } from './work/dependencies.js';
import { enqueue } from './work/enqueue.js';
import { createPreviews } from './previews/previews.js';
import { createObservations } from './observations.js';
import { mergeEvents } from './report/merge-events.js';
import { createChangeFeed } from './changes.js';
import { createCommitCatalog } from './commits.js';
import { openReport } from './report/report.js';

/** How long the record of a host that left the inventory is kept (its history stays readable). */
const REMOVED_RETENTION_MS = 7 * 24 * 3600 * 1000;

type AcceptedRevision = Extract<GateResult, { accepted: true }>;

/** What the controller runs with. */
export interface ControllerOptions {
  settings: ControllerSettings;
  ssh: SshSettings;
  log: Logger;
  clock?: Clock;
  random?: Random;
  events?: DaemonEvents;
  /** The Git source (default: createGitSource over `<stateDir>/source`). */
  source?: GitSource;
  /** Opens a host's transport (default: SSH, or the local transport for address `localhost`). */
  connect?: HostPoolOptions['connect'];
}

/** A running controller: its API, and how to stop it. */
export interface RunningController extends ControllerApi {
  /** Records the API's address in the state dir's lock, so a second controller's refusal names it. */
  noteAddress(address: string): Promise<void>;
  /**
   * Graceful stop: no new fetch or run; runs in progress get `shutdownGraceMs` to finish, then are
   * stopped (a run already sent to a host finishes or restores there by itself); state flushed;
   * connections closed. Resolves when all that is done.
   */
  stop(): Promise<void>;
}

/**
 * Takes the state dir's lock, opens the state (recovering runs a killed controller left), starts the
 * source loop, `concurrency` workers and the drift loop. Throws E_STATE_LOCKED when another controller
 * holds the state dir, E_STATE_CORRUPT for a damaged state and E_SOURCE_CONFIG for a bad source;
 * everything after start is logged and retried, never thrown.
 */
export async function startController(options: ControllerOptions): Promise<RunningController> {
  await mkdir(options.settings.stateDir, { recursive: true, mode: 0o700 });
  const lock = await acquireStateLock(options.settings.stateDir);
  try {
    return await startLocked(options, lock);
  } catch (err) {
    await lock.release();
    throw err;
  }
}

async function startLocked(options: ControllerOptions, lock: StateLock): Promise<RunningController> {
  const { settings, log } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const { store, loaded } = await openStateStore(settings.stateDir, { now: () => clock.now() });
  if (loaded.strayTempFiles.length) log.warn({ files: loaded.strayTempFiles }, 'removed leftovers of interrupted state writes');
  for (const record of loaded.hosts.values()) {
    const { record: recovered, interrupted } = recoverAfterCrash(record);
    if (!interrupted) continue;
    await store.saveHost(recovered);
    log.warn({ host: record.host, runId: interrupted.id, revision: interrupted.revision }, `${record.host}: run ${interrupted.id} was interrupted by a controller stop; the host is re-observed`);
  }
  let fleet: FleetRevision | undefined;
  const stopController = new AbortController();
  // Reporting back (event log, commit statuses, notifications) listens to the same hooks as metrics.
  const report = await openReport({ settings, clock, random, log, events: options.events ?? {} });
  // Live readers (the status page's event stream) hear of every change from the same hooks.
  const changes = createChangeFeed();
  const events = mergeEvents(options.events ?? {}, report.events, changes.events);
  const poolOptions: HostPoolOptions = {
    ssh: options.ssh, lookup: (name) => fleet?.hosts.get(name)?.host, now: () => clock.now(),
    ...(events.connected ? { onConnected: events.connected } : {}), ...(options.connect ? { connect: options.connect } : {}),
  };
  const pool = createHostPool(poolOptions);
  let counter = 0;
  const ctx: DaemonContext = {
    queue: new WorkQueue({ clock, random, backoff: settings.retry }),
    pending: new PendingTriggers(), store, clock, log,
    driftFacts: new Map(store.hosts().map((r) => [r.host, driftFactsOf(r)])),
    connections: createConnections({ pool, clock, idleMs: settings.idleConnectionMs }),
    breakers: new HostBreakers(clock, { threshold: settings.circuitBreaker.failures, cooldownMs: settings.circuitBreaker.cooldownMs }),
    syncRuns: new SyncRuns(), events,
    fleet: () => fleet,
    stopRuns: stopController.signal,
    settings: {
      runTimeoutMs: settings.runTimeoutMs, selfHeal: settings.selfHeal, driftIntervalMs: settings.driftIntervalMs,
      suspendedByConfig: new Set(settings.suspendedHosts),
    },
    newRunId: () => `${clock.now().toString(36)}-${(++counter).toString(36)}`,
    connectFresh: freshConnector(poolOptions),
  };
  ctx.dependencies = new DependencyHolds(ctx);
  ctx.observations = createObservations({ clock, maxAgeMs: settings.observedWithinMs });
  ctx.rollouts = new RolloutCoordinator({
    clock, log, stateDir: settings.stateDir, fleet: () => fleet,
    release: (hosts) => {
      for (const host of hosts) enqueue(ctx, host, { trigger: 'revision', apply: true });
    },
    ...(events.rolloutChanged ? { changed: events.rolloutChanged } : {}),
  });
  report.attach(ctx);
  const source = options.source ?? createGitSource({ spec: sourceSpec(settings), workDir: `${settings.stateDir}/source`, clock });
  const validator = createManifestValidator();
  const onAccepted = async (gate: AcceptedRevision): Promise<void> => {
    ctx.events.revisionAccepted?.(gate.revision.name);
    const next = fleetRevision({ revision: gate.revision.name, commit: gate.revision.commit, hosts: gate.hosts, ...(settings.shard ? { shard: settings.shard } : {}),
      ...(gate.policies ? { policies: gate.policies } : {}), ...(gate.members ? { members: gate.members } : {}) });
    await adoptRevision(ctx, next, (f) => (fleet = f));
    await store.purgeRemoved(clock.now(), REMOVED_RETENTION_MS);
    await source.pruneSnapshots(keptCommits(ctx, next)).catch((err: unknown) => log.warn({ err }, 'pruning old snapshots failed'));
  };
  const restored = await restoreLastGood({ settings, store, source, log, validator, accept: onAccepted });
  if (restored) events.revisionJudged?.(restored, true);
  const sourceLoop = createSourceLoop({
    source, store, clock, random, log, intervalMs: settings.source.intervalMs, jitterMs: settings.source.jitterMs,
    validator, onAccepted, events, ...(restored ? { seen: restored } : {}), ...(settings.ageIdentity ? { ageIdentity: settings.ageIdentity } : {}),
  });
  const drift = createDriftLoop(ctx);
  const workers = Array.from({ length: settings.concurrency }, () => runWorker(ctx));
  report.start();
  sourceLoop.start();
  drift.start();
  ctx.rollouts.start();
  log.info({ stateDir: settings.stateDir, concurrency: settings.concurrency, selfHeal: settings.selfHeal }, 'controller started');
  const previews = createPreviews({
    ctx, source, validator, ssh: options.ssh, hostConcurrency: settings.concurrency,
    ...(settings.ageIdentity ? { ageIdentity: settings.ageIdentity } : {}), ...(options.connect ? { connect: options.connect } : {}),
    ...(settings.shard ? { shard: settings.shard } : {}), ...(settings.previews ? { limits: settings.previews } : {}),
  });
  const api = createApi(ctx, { triggerFetch: () => sourceLoop.triggerFetch(), previews, events: report.reader, commits: createCommitCatalog(source), changes });
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    log.info({ graceMs: settings.shutdownGraceMs }, 'stopping: no new runs; runs in progress get the grace period');
    drift.stop();
    ctx.queue.shutDown();
    const previewsStopped = previews.stop();
    await sourceLoop.stop();
    const grace = clock.setTimer(settings.shutdownGraceMs, () => stopController.abort(new DroverError('E_SHUTDOWN', 'the controller stopped before the run ended')));
    await ctx.queue.drained();
    grace.cancel();
    await previewsStopped;
    await Promise.all(workers);
    await ctx.rollouts?.stop();
    await report.stop();
    await store.flush();
    await ctx.connections.closeAll();
    await lock.release();
    log.info('controller stopped');
  };
  return { ...api, noteAddress: (address) => lock.noteAddress(address), stop: () => (stopping ??= stop()) };
}

function sourceSpec(settings: ControllerSettings): Parameters<typeof createGitSource>[0]['spec'] {
  const s = settings.source;
  return {
    url: s.url, ref: s.ref, timeoutMs: s.timeoutMs, allowNonFastForward: s.allowNonFastForward, verifySignatures: s.verifySignatures,
    ...(s.path === undefined ? {} : { path: s.path }),
    ...(s.sshKeyFile === undefined ? {} : { sshKeyFile: s.sshKeyFile }),
    ...(s.knownHostsFile === undefined ? {} : { knownHostsFile: s.knownHostsFile }),
    ...(s.token === undefined ? {} : { token: s.token.reveal() }),
    ...(s.allowedSignersFile === undefined ? {} : { allowedSignersFile: s.allowedSignersFile }),
  };
}

/** Snapshots still needed: the newest good revision and every revision a host is on. */
function keptCommits(ctx: DaemonContext, next: FleetRevision): Set<string> {
  const keep = new Set([next.commit]);
  for (const record of ctx.store.hosts()) {
    const commit = parseRevisionName(record.lastAppliedRevision ?? '')?.commit;
    if (commit) keep.add(commit);
  }
  return keep;
}

/**
 * At start, the last good revision's snapshot (still on disk: it is never pruned while hosts are on it)
 * is loaded before any fetch, so drift checks and retries go on even when the remote is down. Returns
 * its name when it was accepted again.
 */
async function restoreLastGood(options: {
  settings: ControllerSettings; store: StateStore; source: GitSource; log: Logger; validator: ManifestValidator; accept: (gate: AcceptedRevision) => Promise<void>;
}): Promise<string | undefined> {
  const name = options.store.controller().lastGoodRevision;
  const revision = name === undefined ? undefined : await options.source.storedRevision(name);
  if (!revision) return undefined;
  const gate = await validateRevision(revision, options.validator, options.settings.ageIdentity);
  if (!gate.accepted) return undefined;
  options.log.info({ revision: revision.name }, 'last good revision restored from its snapshot');
  await options.accept(gate);
  return revision.name;
}
