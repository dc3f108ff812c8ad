/**
 * How a host's record changes when a run starts and when it ends (pure: record in, record out).
 * The record keeps facts (results, revisions, errors); the status is derived from them here, in one
 * place, and stored with the record so `cat hosts/<name>.json` and `drover hosts` show it.
 */
import type { Plan } from '../plan/types.js';
import type { HostRunResult } from '../reconcile/reconcile-host.js';
import { withRun, type HostRecord, type HostStatus, type PlanSummary, type RunRecord } from './records.js';

/** `record` with `run` in progress (stored before the run starts: a killed controller finds it). */
export function startRun(record: HostRecord, run: RunRecord): HostRecord {
  return { ...record, running: run, status: 'Progressing', reason: `${run.dryRun ? 'planning' : 'reconciling'} ${run.revision} (${run.trigger})` };
}

/** What the run was about, beyond its result. */
export interface FinishContext {
  run: RunRecord;
  result: HostRunResult;
  now: number;
  /** Hash of the desired state the run worked from. */
  desiredHash: string;
}

/** `record` after the run: history, revisions, last plan and error, failures, status and reason. */
export function finishRun(record: HostRecord, ctx: FinishContext): HostRecord {
  const { run, result, now } = ctx;
  const ended: RunRecord = { ...run, endedAt: now, result: result.outcome, changedSteps: changedSteps(result) };
  const next: HostRecord = { ...withRun(record, ended), lastAttemptedRevision: run.revision, lastAttemptAt: now };
  delete next.running;
  const plan = result.verify ?? result.plan;
  if (plan) next.lastPlan = summarisePlan(plan, run.revision);
  if (result.outcome === 'failed' || result.outcome === 'unreachable') {
    const error = result.error ?? { code: 'E_INTERNAL', message: 'failed without an error', unreachable: false };
    next.lastError = {
      code: error.code, message: error.message, at: now,
      ...(error.step ? { step: error.step } : {}), ...(error.stderrTail ? { stderrTail: error.stderrTail } : {}),
    };
    next.consecutiveFailures = record.consecutiveFailures + 1;
    return withStatus(next, result.outcome === 'unreachable' ? 'Unreachable' : 'Failed', error.message);
  }
  next.consecutiveFailures = 0;
  delete next.lastError;
  if (result.outcome === 'drift') {
    const count = plan ? plan.steps.filter((s) => s.action !== 'none').length : 0;
    return withStatus(next, 'OutOfSync', `${count} step${count === 1 ? '' : 's'} would change the host (${run.dryRun ? 'dry run' : 'report mode: not applied'})`);
  }
  next.lastSuccessAt = now;
  next.desiredHash = ctx.desiredHash;
  next.lastAppliedRevision = run.revision;
  return withStatus(next, 'Synced', result.outcome === 'applied' ? `applied ${run.revision}` : `in sync with ${run.revision}`);
}

/**
 * A run the controller never finished (it was killed): recorded in the history as `interrupted`, and
 * the host is to be re-observed (what ran on the host finished or restored by itself).
 */
export function interruptRun(record: HostRecord, now: number): HostRecord {
  if (!record.running) return record;
  const next = withRun(record, { ...record.running, endedAt: now, result: 'interrupted' });
  delete next.running;
  return withStatus(next, 'OutOfSync', `the controller stopped during run ${record.running.id}; re-observing`);
}

/**
 * The status shown for a host: Suspended and Progressing first; Rejected while the newest revision
 * failed validation (the host stays on its last good revision); otherwise the stored status.
 */
export function shownStatus(record: HostRecord, context: { rejectedRevision?: string }): { status: HostStatus; reason: string } {
  if (record.suspended) return { status: 'Suspended', reason: 'suspended: not reconciled until resumed' };
  if (record.running) return { status: 'Progressing', reason: record.reason };
  if (context.rejectedRevision) return { status: 'Rejected', reason: `revision ${context.rejectedRevision} is invalid; staying on ${record.lastAppliedRevision ?? 'the last good revision'}` };
  return { status: record.status, reason: record.reason };
}

/** Step names and counts of a plan (no values: plans hold no secret values anyway). */
export function summarisePlan(plan: Plan, revision: string): PlanSummary {
  const steps = plan.steps.filter((s) => s.action !== 'none').map((s) => ({ name: s.name, action: s.action, reasons: s.reasons }));
  const counts: Record<string, number> = { ...plan.summary };
  return { revision, inSync: plan.inSync, steps, counts };
}

function changedSteps(result: HostRunResult): string[] {
  return (result.apply?.steps ?? []).filter((s) => s.status === 'changed').map((s) => s.name);
}

function withStatus(record: HostRecord, status: HostStatus, reason: string): HostRecord {
  return { ...record, status, reason };
}
