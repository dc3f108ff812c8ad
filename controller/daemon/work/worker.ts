/**
 * A worker: takes a host from the queue, runs it at the newest good revision (level-based: the trigger
 * only said "which host"), records the result, and hands the host back with one decision about what
 * comes next (next.ts, applied by requeue). `concurrency` workers loop at once: that is the global limit.
 */
import { DroverError } from '../../../manifests/errors.js';
import type { DesiredState } from '../../../manifests/types.js';
import { reconcileHost } from '../../reconcile/pipeline.js';
import type { HostTarget, RunHostResult } from '../../reconcile/types.js';
import type { ObservedState } from '../../reconcile/types.js';
import type { DaemonContext } from '../context.js';
import { finishRun, startRun } from '../state/host-record.js';
import type { HostRecord, RunRecord } from '../state/records.js';
import { updateHost } from '../state/update-host.js';
import { requeue } from './enqueue.js';
import { quarantineHolds } from '../state/quarantine.js';
import { nextAfterTurn, type TurnEnd } from './next.js';
import { releaseWaiters } from './dependencies.js';
import type { PendingRun } from './triggers.js';
import { afterConflictRun, conflictTurn, type ConflictTurn } from './conflict-turn.js';
import type { ResourceConflict } from '../state/conflicts.js';

/** Loops until the queue shuts down; never rejects. */
export async function runWorker(ctx: DaemonContext): Promise<void> {
  for (;;) {
    const host = await ctx.queue.get();
    if (host === undefined) return;
    const why: PendingRun = ctx.pending.take(host) ?? { trigger: 'retry', apply: true, runIds: [] };
    try {
      const end = await takeTurn(ctx, host, why);
      requeue(ctx, host, nextAfterTurn({ ...end, now: ctx.clock.now(), stopping: ctx.stopRuns.aborted }));
    } catch (err) {
      ctx.log.error({ host, err }, 'worker error (a bug): the host is retried with backoff');
      requeue(ctx, host, { action: 'backoff', trigger: 'retry', apply: why.apply, why: 'a bug' });
    } finally {
      ctx.queue.done(host);
    }
  }
}

/** One host's turn: skip it (suspended, gone, breaker cooling down) or run it; says how it ended. */
async function takeTurn(ctx: DaemonContext, host: string, why: PendingRun): Promise<TurnEnd> {
  const end = { trigger: why.trigger, apply: why.apply, now: ctx.clock.now(), stopping: ctx.stopRuns.aborted };
  const fleet = ctx.fleet();
  const desired = fleet?.hosts.get(host);
  if (!fleet || !desired) {
    // Left the inventory (or not in this shard): never touched again.
    ctx.syncRuns.finished(ctx.pending.drop(host), host, { result: 'skipped', reason: 'not in the inventory' });
    return { ...end, skipped: 'forget' };
  }
  if (ctx.store.host(host)?.suspended || ctx.settings.suspendedByConfig.has(host)) {
    // A host listed in the config's suspendedHosts is suspended like `drover suspend` does (persisted).
    await updateHost(ctx, host, (r) => (r.suspended ? undefined : { ...r, suspended: true })).written;
    ctx.syncRuns.finished(why.runIds, host, { result: 'skipped', reason: 'suspended' });
    // A suspended host leaves its rollout wave (it would wait for it forever).
    ctx.rollouts?.leaveWave(host, fleet.revision);
    return { ...end, skipped: 'forget' };
  }
  if (!ctx.breakers.tryStart(host)) {
    ctx.syncRuns.finished(why.runIds, host, { result: 'skipped', reason: 'unreachable: waiting for the circuit breaker cool-down' });
    return withTrial(ctx, host, { ...end, skipped: 'breaker' });
  }
  return runTurn(ctx, { host, desired, revision: fleet.revision, desiredHash: fleet.hashes.get(host) ?? '', why, end });
}

interface Turn {
  host: string;
  desired: DesiredState;
  revision: string;
  desiredHash: string;
  why: PendingRun;
  end: TurnEnd;
}

async function runTurn(ctx: DaemonContext, turn: Turn): Promise<TurnEnd> {
  const { host, why } = turn;
  const record = ctx.store.host(host);
  // A rollout wave not yet released, or a closed maintenance window, turns an apply into a plan.
  const policy = why.apply ? ctx.rollouts?.gate(host, { overrideWindow: why.overrideWindow === true }) : undefined;
  // A host whose `after:` hosts are not Synced on this revision plans only; their finished runs release it.
  const waiting = why.apply && policy?.apply !== false ? ctx.dependencies?.gate(host) : undefined;
  // A revision undone on this host (lockout, rollback) is not applied again until its desired state moves.
  const held = quarantineHolds(record?.quarantine, { revision: turn.revision, desiredHash: turn.desiredHash }, why.trigger);
  const apply = why.apply && policy?.apply !== false && waiting === undefined && !held;
  const run: RunRecord = { id: ctx.newRunId(), trigger: why.trigger, revision: turn.revision, startedAt: ctx.clock.now(), dryRun: !apply, changedSteps: [] };
  // `running` is on disk before an apply, so a killed controller re-observes the host; a plan-only run
  // changes nothing on the host, so it skips that write (drift checks stay one write per host).
  if (!run.dryRun && !(await stored(ctx, host, (r) => startRun(r, run), 'before the run'))) {
    updateHost(ctx, host, (r) => (r.running?.id === run.id ? withoutRunning(r) : undefined)).written.catch(() => undefined);
    ctx.syncRuns.finished(why.runIds, host, { result: 'failed', reason: 'the state cannot be written; retried with backoff' });
    return withTrial(ctx, host, { ...turn.end, outcome: 'failed', errorCode: 'E_STATE_WRITE' });
  }
  ctx.syncRuns.started(why.runIds, host);
  ctx.events.runStarted?.(host, run);
  // A host that failed its checks is in sync on a retry: its checks must pass again before it counts as Synced.
  const healthCheck = (policy?.apply === true && policy.healthCheck) || (apply && (record?.lastError?.step ?? '').startsWith('test_'));
  // Resources in Conflict are planned held; a run at the desired state the host converged to may repair drift: its diffs are kept.
  const conflicts = conflictTurn(turn.desired, record, apply && why.forceConflict === true);
  const withTexts = run.dryRun || record?.desiredHash === turn.desiredHash;
  const result = await runHost(ctx, { host, run, desired: turn.desired, healthCheck, knownUndone: record?.lockout?.id, held: conflicts.held, withTexts });
  if (!run.dryRun) ctx.rollouts?.record(host, run.revision, result);
  ctx.breakers.record(host, result.outcome !== 'unreachable');
  const newest = ctx.fleet();
  let declared: ResourceConflict[] = [];
  const { saved, written } = updateHost(ctx, host, (r) => {
    const next = finishRun(r, {
      run, result, now: ctx.clock.now(), desiredHash: turn.desiredHash,
      ...(newest ? { newest: { revision: newest.revision, desiredHash: newest.hashes.get(host) } } : {}),
    });
    const after = afterConflictRun({ before: r, next, turn: conflicts, desired: turn.desired, desiredHash: turn.desiredHash, runId: run.id, now: ctx.clock.now(), result });
    declared = after.declared;
    return after.record;
  });
  // The result is known (and readable) now; the host is handed back to the queue once it is on disk.
  logFinished(ctx, run, result, saved);
  releaseWaiters(ctx, host);
  ctx.syncRuns.finished(why.runIds, host, { result: result.outcome, reason: saved.reason, revision: run.revision });
  ctx.events.runFinished?.(host, run, result);
  reportConflicts(ctx, host, run, declared);
  // One event per lockout: an undo the probe finds after a confirmation that got no answer is the same one.
  const known = record?.quarantine?.code === 'E_LOCKED_OUT' && record.quarantine.revision === saved.quarantine?.revision;
  if (result.error?.code === 'E_LOCKED_OUT' && !known) {
    ctx.events.hostLockedOut?.(host, { revision: saved.quarantine?.revision ?? run.revision, reason: result.error.message, runId: run.id, ...(result.undone ? { undone: result.undone } : {}) });
  }
  const onDisk = await stored(ctx, host, () => undefined, 'after the run', written);
  const ended: TurnEnd = { ...turn.end, outcome: onDisk ? result.outcome : 'failed', ...(onDisk ? codeOf(result) : { errorCode: 'E_STATE_WRITE' }) };
  const windowOpensAt = policy && !policy.apply ? policy.retryAt : undefined;
  return withTrial(ctx, host, { ...ended, ...(windowOpensAt === undefined ? {} : { windowOpensAt }) });
}

interface HostRun {
  host: string;
  run: RunRecord;
  desired: DesiredState;
  healthCheck: boolean;
  knownUndone: string | undefined;
  held: ConflictTurn['held'];
  /** Fetch the old texts of the files the plan changes (for the diffs of a plan, or of a repair). */
  withTexts: boolean;
}

async function runHost(ctx: DaemonContext, args: HostRun): Promise<RunHostResult> {
  const { host, run } = args;
  const fields = { host, revision: run.revision, runId: run.id };
  ctx.log.info({ ...fields, trigger: run.trigger, dryRun: run.dryRun }, 'run started');
  const lease = ctx.connections.lease(host);
  const signal = AbortSignal.any([AbortSignal.timeout(ctx.settings.runTimeoutMs), ctx.stopRuns]);
  // A new revision applied right after the host's last run (or drift check) plans from what that run
  // saw; the apply's own verify probe confirms the host, and a host that moved is probed afresh.
  const lastSeen = !run.dryRun && (run.trigger === 'revision' || run.trigger === 'webhook') ? ctx.observations?.fresh(host, args.desired) : undefined;
  const seen = watchObservations(ctx, host, args);
  try {
    // Plan-only runs keep their plan as the host's last plan: fetch the file texts for its diffs (one round trip).
    return seen.settle(await reconcileHost({
      desired: args.desired, transport: lease.transport, mode: run.dryRun ? 'plan' : 'apply', withTexts: args.withTexts, signal, revision: run.revision,
      ...(args.held.size ? { held: args.held } : {}),
      ...(ctx.connectFresh ? { connectFresh: () => ctx.connectFresh!(host) } : {}), ...(args.knownUndone ? { knownUndone: args.knownUndone } : {}),
      // A drift check of an in-sync host also runs its test_* checks (a health check).
      runTests: run.trigger === 'drift' || args.healthCheck,
      onPhase: (phase) => ctx.log.info({ ...fields, phase }, `${host}: ${phase}`),
      // Readers see `rebooting since T` while the run waits for the host to come back.
      onRebooting: (since) => {
        updateHost(ctx, host, (r) => (r.running?.id === run.id ? { ...r, running: { ...r.running, rebootingSince: since } } : undefined)).written.catch(() => undefined);
      },
      onObserved: seen.onObserved, ...(lastSeen ? { observed: lastSeen } : {}),
    }));
  } catch (err) {
    ctx.observations?.forget(host);
    throw err;
  } finally {
    lease.release();
  }
}

/**
 * Keeps the observation that tells how a run left the host (observations.ts): the first one of a run
 * that changed nothing, the verify probe of an apply; after anything else (a failure, a reboot, an
 * apply verified by a separate probe) the host is forgotten. An apply forgets it before it starts.
 */
function watchObservations(ctx: DaemonContext, host: string, args: HostRun): { onObserved: NonNullable<HostTarget['onObserved']>; settle: (result: RunHostResult) => RunHostResult } {
  const observations = ctx.observations;
  const since = ctx.clock.now();
  if (!args.run.dryRun) observations?.forget(host);
  const last: Partial<Record<'plan' | 'verify', ObservedState>> = {};
  return {
    onObserved: (observed, phase) => { last[phase] = observed; },
    settle(result) {
      if (!observations) return result;
      const unchanged = result.outcome === 'in-sync' || result.outcome === 'drift';
      const observed = result.reboot?.action === 'rebooted' ? undefined : unchanged ? last.plan : result.outcome === 'applied' ? last.verify : undefined;
      if (observed) observations.record(host, args.desired, observed, since);
      else observations.forget(host);
      return result;
    },
  };
}

/**
 * Writes a change of `host`'s record and waits for the disk (or waits for `written`, a write already
 * made). False when the state cannot be written: logged as such (the store reports it to readiness and
 * metrics); the caller retries the host with backoff, and a later write catches the disk up.
 */
async function stored(ctx: DaemonContext, host: string, change: (r: HostRecord) => HostRecord | undefined, when: string, written?: Promise<void>): Promise<boolean> {
  try {
    await (written ?? updateHost(ctx, host, change).written);
    return true;
  } catch (err) {
    if (!(err instanceof DroverError) || err.code !== 'E_STATE_WRITE') throw err;
    ctx.log.error({ host, code: err.code }, `${host}: ${err.message} (${when}); the host is retried with backoff`);
    return false;
  }
}

/** Logs and reports each Conflict the run declared (once: a held resource is not repaired again). */
function reportConflicts(ctx: DaemonContext, host: string, run: RunRecord, declared: readonly ResourceConflict[]): void {
  for (const conflict of declared) {
    ctx.log.warn({ host, runId: run.id, resource: conflict.resource, code: conflict.code, repairs: conflict.repairs.length }, `${host}: ${conflict.resource} in Conflict: ${conflict.message}`);
    ctx.events.resourceConflict?.(host, { revision: run.revision, runId: run.id, conflict });
  }
}

function withoutRunning(record: HostRecord): HostRecord {
  const { running: _running, ...rest } = record;
  return rest;
}

function codeOf(result: RunHostResult): Pick<TurnEnd, 'errorCode'> {
  return result.error ? { errorCode: result.error.code } : {};
}

function withTrial(ctx: DaemonContext, host: string, end: TurnEnd): TurnEnd {
  const trialAt = ctx.breakers.trialAt(host);
  return trialAt === undefined ? end : { ...end, breakerTrialAt: trialAt };
}

function logFinished(ctx: DaemonContext, run: RunRecord, result: RunHostResult, saved: HostRecord): void {
  const fields = {
    host: result.host, revision: run.revision, runId: run.id, phase: 'done', result: result.outcome, status: saved.status,
    changed: saved.history[0]?.changedSteps.length ?? 0, durationMs: Math.round(result.durationMs),
    ...(result.error ? { code: result.error.code, step: result.error.step } : {}),
  };
  const failed = result.outcome === 'failed' || result.outcome === 'unreachable';
  if (failed) ctx.log.warn(fields, `${result.host}: ${result.outcome}: ${result.error?.message ?? ''}`);
  else ctx.log.info(fields, `${result.host}: ${result.outcome}`);
}
