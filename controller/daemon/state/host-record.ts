/**
 * How a host's record changes when a run starts and when it ends (pure: record in, record out).
 * The record keeps facts (results, revisions, errors); status.ts derives the status from them.
 */
import { fileDiffLines } from '../../reconcile/file-diff.js';
import type { RunHostResult } from '../../reconcile/types.js';
import type { FileTexts, Plan } from '../../reconcile/types.js';
import { afterRun } from './quarantine.js';
import { RUN_DIFF_LINES, withRun, type HostRecord, type PlanSummary, type RunRecord } from './records.js';

/** `record` with `run` in progress (stored before the run starts: a killed controller finds it). */
export function startRun(record: HostRecord, run: RunRecord): HostRecord {
  return { ...record, running: run };
}

/** What the run was about, beyond its result. */
export interface FinishContext {
  run: RunRecord;
  result: RunHostResult;
  now: number;
  /** Hash of the desired state the run worked from. */
  desiredHash: string;
  /**
   * The newest good revision now and this host's desired-state hash in it: a revision accepted while the
   * run went on that does not change the host leaves it on that revision too (it moved no host that was running).
   */
  newest?: { revision: string; desiredHash?: string };
}

/**
 * `record` after the run, in one record (stored in one atomic write, so `running` and the history
 * never disagree): history, revisions, last plan and error, failure count. The status is derived by
 * the caller (status.ts).
 */
export function finishRun(record: HostRecord, ctx: FinishContext): HostRecord {
  const { run, result, now } = ctx;
  const ended: RunRecord = { ...run, endedAt: now, result: result.outcome, changedSteps: changedSteps(result) };
  const diff = result.plan && result.texts ? runDiff(summarisePlan(result.plan, run.revision, result.texts)) : [];
  if (diff.length) ended.diff = diff;
  const next: HostRecord = { ...withRun(record, ended), lastAttemptedRevision: run.revision, lastAttemptAt: now };
  delete next.running;
  delete next.quarantine;
  Object.assign(next, afterRun(record, run, result, { desiredHash: ctx.desiredHash, now }));
  Object.assign(next, rebootFact(record, result, now));
  if (!next.rebootRequired) delete next.rebootRequired;
  const plan = result.verify ?? result.plan;
  // The texts were fetched for `result.plan`: diffs only when that is the plan kept.
  if (plan) next.lastPlan = summarisePlan(plan, run.revision, plan === result.plan ? result.texts : undefined);
  if (result.outcome === 'failed' || result.outcome === 'unreachable') {
    const error = result.error ?? { code: 'E_INTERNAL', message: 'failed without an error', unreachable: false };
    next.lastError = {
      code: error.code, message: error.message, at: now,
      ...(error.step ? { step: error.step } : {}), ...(error.stderrTail ? { stderrTail: error.stderrTail } : {}),
    };
    next.consecutiveFailures = record.consecutiveFailures + 1;
    return next;
  }
  next.consecutiveFailures = 0;
  delete next.lastError;
  if (result.outcome === 'drift') return next;
  next.lastSuccessAt = now;
  next.desiredHash = ctx.desiredHash;
  next.lastAppliedRevision = ctx.newest?.desiredHash === ctx.desiredHash ? ctx.newest.revision : run.revision;
  return next;
}

/**
 * Step names, reasons and counts of a plan, plus each file step's masked diff when `texts` (the
 * host's current file texts, secrets already masked on the host) are given.
 */
export function summarisePlan(plan: Plan, revision: string, texts?: Record<string, FileTexts>): PlanSummary {
  const steps = plan.steps.filter((s) => s.action !== 'none').map((s) => {
    const diff = texts ? fileDiffLines(s, texts[s.resource]) : [];
    return { name: s.name, action: s.action, reasons: s.reasons, ...(diff.length ? { diff } : {}), ...(s.report ? { report: s.report } : {}) };
  });
  const counts: Record<string, number> = { ...plan.summary };
  return { revision, inSync: plan.inSync, steps, counts };
}

/** What a run says about the host's need for a reboot; a run that observed nothing leaves it as it was. */
function rebootFact(record: HostRecord, result: RunHostResult, now: number): Pick<HostRecord, 'rebootRequired'> {
  if (!result.plan) return { rebootRequired: record.rebootRequired };
  const reboot = result.reboot;
  if (!reboot?.required || reboot.action === 'rebooted') return { rebootRequired: undefined };
  return { rebootRequired: { reasons: reboot.reasons, action: reboot.action, since: record.rebootRequired?.since ?? now } };
}

/** The masked diffs of a planned run's file steps, cut to RUN_DIFF_LINES lines in all (the cut said in a last line). */
export function runDiff(planned: PlanSummary): NonNullable<RunRecord['diff']> {
  const out: NonNullable<RunRecord['diff']> = [];
  let left = RUN_DIFF_LINES;
  let cut = 0;
  for (const step of planned.steps) {
    if (!step.diff?.length || step.report) continue;
    const lines = step.diff.slice(0, Math.max(0, left));
    cut += step.diff.length - lines.length;
    left -= lines.length;
    if (lines.length) out.push({ step: step.name, lines });
  }
  if (cut > 0 && out.length) out[out.length - 1]!.lines.push(`... ${cut} more diff lines not kept with the run (the host's last plan has them whole)`);
  return out;
}

function changedSteps(result: RunHostResult): string[] {
  return (result.apply?.steps ?? []).filter((s) => s.status === 'changed').map((s) => s.name);
}
