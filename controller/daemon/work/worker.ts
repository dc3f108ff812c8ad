/**
 * A worker: takes a host from the queue, runs it at the newest good revision (level-based: the
 * trigger only said "which host"), records the result, and decides what comes next for the host
 * (forget on success, back off on failure, wait for the breaker's trial when it is open).
 * `concurrency` workers loop at once: that is the global limit.
 */
import type { DesiredState } from '../../../manifests/types.js';
import { reconcileHost, REFUSED_CODES, type HostRunResult } from '../../reconcile/reconcile-host.js';
import { driftFactsOf, statusContext, type DaemonContext } from '../context.js';
import { finishRun, startRun } from '../state/host-record.js';
import { newHostRecord, type HostRecord, type RunRecord } from '../state/records.js';
import { withStatus } from '../state/status.js';
import type { PendingRun } from './triggers.js';

/** Loops until the queue shuts down; never rejects. */
export async function runWorker(ctx: DaemonContext): Promise<void> {
  for (;;) {
    const host = await ctx.queue.get();
    if (host === undefined) return;
    try {
      await processHost(ctx, host);
    } catch (err) {
      ctx.log.error({ host, err }, 'worker error (a bug)');
    } finally {
      ctx.queue.done(host);
    }
  }
}

/** Saves `record` with its status derived afresh; resolves once it is on disk. */
export async function saveHost(ctx: DaemonContext, record: HostRecord): Promise<HostRecord> {
  const { saved, written } = storeHost(ctx, record);
  await written;
  return saved;
}

/**
 * Stores `record` (status derived afresh): readers see it at once (the store updates its memory before
 * writing); `written` resolves when it is on disk.
 */
function storeHost(ctx: DaemonContext, record: HostRecord): { saved: HostRecord; written: Promise<void> } {
  const saved = withStatus(record, statusContext(ctx, record.host));
  const written = ctx.store.saveHost(saved);
  ctx.driftFacts.set(saved.host, driftFactsOf(saved));
  ctx.events.recordSaved?.(saved);
  return { saved, written };
}

async function processHost(ctx: DaemonContext, host: string): Promise<void> {
  const fleet = ctx.fleet();
  const desired = fleet?.hosts.get(host);
  if (!fleet || !desired) {
    // Left the inventory (or not in this shard): never touched again.
    ctx.syncRuns.finished(ctx.pending.drop(host), host, { result: 'skipped', reason: 'not in the inventory' });
    ctx.queue.forget(host);
    return;
  }
  const why: PendingRun = ctx.pending.take(host) ?? { trigger: 'retry', apply: true, runIds: [] };
  const record = ctx.store.host(host) ?? newHostRecord(host);
  if (record.suspended || ctx.settings.suspendedByConfig.has(host)) {
    // A host listed in the config's suspendedHosts is suspended like `drover suspend` does (persisted).
    if (!record.suspended) await saveHost(ctx, { ...record, suspended: true });
    ctx.syncRuns.finished(why.runIds, host, { result: 'skipped', reason: 'suspended' });
    // A suspended host leaves its rollout wave (it would wait for it forever).
    ctx.rollouts?.leaveWave(host, fleet.revision);
    ctx.queue.forget(host);
    return;
  }
  if (!ctx.breakers.tryStart(host)) {
    ctx.syncRuns.finished(why.runIds, host, { result: 'skipped', reason: 'unreachable: waiting for the circuit breaker cool-down' });
    ctx.pending.add(host, why.trigger, { apply: why.apply });
    ctx.queue.addAfter(host, (ctx.breakers.trialAt(host) ?? ctx.clock.now()) - ctx.clock.now());
    return;
  }
  // A rollout wave not yet released, or a closed maintenance window, turns an apply into a plan.
  const gate = why.apply ? ctx.rollouts?.gate(host, { overrideWindow: why.overrideWindow === true }) : undefined;
  // A revision rolled back on this host is not applied again by retries or drift checks (the service would
  // flap between configs); a new revision or a manual sync tries again.
  const rolledBack = record.lastError?.code === 'E_ROLLED_BACK' && record.lastAttemptedRevision === fleet.revision && (why.trigger === 'retry' || why.trigger === 'drift');
  const apply = why.apply && gate?.apply !== false && !rolledBack;
  const run: RunRecord = { id: ctx.newRunId(), trigger: why.trigger, revision: fleet.revision, startedAt: ctx.clock.now(), dryRun: !apply, changedSteps: [] };
  // `running` is stored before an apply so a killed controller re-observes the host; a plan-only run
  // changes nothing on the host, so it skips that write (drift checks stay one write per host).
  if (!run.dryRun) await saveHost(ctx, startRun(record, run));
  ctx.syncRuns.started(why.runIds, host);
  ctx.events.runStarted?.(host, run);
  // A host that failed its checks is in sync on a retry: its checks must pass again before it counts as Synced.
  const healthCheck = (gate?.apply === true && gate.healthCheck) || (apply && (record.lastError?.step ?? '').startsWith('test_'));
  const result = await runHost(ctx, { host, run, desired, healthCheck });
  if (!run.dryRun) ctx.rollouts?.record(host, run.revision, result);
  ctx.breakers.record(host, result.outcome !== 'unreachable');
  const latest = ctx.store.host(host) ?? record;
  const { saved, written } = storeHost(ctx, finishRun(latest, { run, result, now: ctx.clock.now(), desiredHash: fleet.hashes.get(host) ?? '' }));
  // The result is known (and readable) now; the host is handed back to the queue once it is on disk.
  logFinished(ctx, run, result, saved);
  ctx.syncRuns.finished(why.runIds, host, { result: result.outcome, reason: saved.reason, revision: run.revision });
  ctx.events.runFinished?.(host, run, result);
  await written;
  scheduleNext(ctx, host, result, why);
  if (gate && !gate.apply && gate.retryAt !== undefined) {
    // Outside its window: apply when the window opens.
    ctx.pending.add(host, why.trigger, { apply: true });
    ctx.queue.addAfter(host, Math.max(0, gate.retryAt - ctx.clock.now()));
  }
}

async function runHost(ctx: DaemonContext, args: { host: string; run: RunRecord; desired: DesiredState; healthCheck: boolean }): Promise<HostRunResult> {
  const { host, run } = args;
  const fields = { host, revision: run.revision, runId: run.id };
  ctx.log.info({ ...fields, trigger: run.trigger, dryRun: run.dryRun }, 'run started');
  const lease = ctx.connections.lease(host);
  const signal = AbortSignal.any([AbortSignal.timeout(ctx.settings.runTimeoutMs), ctx.stopRuns]);
  try {
    // Plan-only runs keep their plan as the host's last plan: fetch the file texts for its diffs (one round trip).
    return await reconcileHost({
      desired: args.desired, transport: lease.transport, mode: run.dryRun ? 'plan' : 'apply', withTexts: run.dryRun, signal,
      // A drift check of an in-sync host also runs its test_* checks (a health check).
      runTests: run.trigger === 'drift' || args.healthCheck,
      onPhase: (phase) => ctx.log.info({ ...fields, phase }, `${host}: ${phase}`),
    });
  } finally {
    lease.release();
  }
}

function logFinished(ctx: DaemonContext, run: RunRecord, result: HostRunResult, saved: HostRecord): void {
  const fields = {
    host: result.host, revision: run.revision, runId: run.id, phase: 'done', result: result.outcome, status: saved.status,
    changed: saved.history[0]?.changedSteps.length ?? 0, durationMs: Math.round(result.durationMs),
    ...(result.error ? { code: result.error.code, step: result.error.step } : {}),
  };
  const failed = result.outcome === 'failed' || result.outcome === 'unreachable';
  if (failed) ctx.log.warn(fields, `${result.host}: ${result.outcome}: ${result.error?.message ?? ''}`);
  else ctx.log.info(fields, `${result.host}: ${result.outcome}`);
}

/** Success forgets the backoff; failure retries with backoff, or when the open breaker allows a trial. */
function scheduleNext(ctx: DaemonContext, host: string, result: HostRunResult, why: PendingRun): void {
  if (result.outcome !== 'failed' && result.outcome !== 'unreachable') {
    ctx.queue.forget(host);
    return;
  }
  if (ctx.stopRuns.aborted) return;
  if (result.error?.code === 'E_ROLLED_BACK') {
    // Rolled back: applying it again would only flap the service; a new revision or a manual sync tries again.
    ctx.queue.forget(host);
    return;
  }
  if (REFUSED_CODES.has(result.error?.code ?? '')) {
    // Refused (host key, authentication): needs a human; drift checks, new revisions and syncs try again.
    ctx.queue.forget(host);
    return;
  }
  ctx.pending.add(host, 'retry', { apply: why.apply });
  const trialAt = ctx.breakers.trialAt(host);
  if (trialAt !== undefined) ctx.queue.addAfter(host, trialAt - ctx.clock.now());
  else ctx.queue.addRateLimited(host);
}
