/**
 * rollbackOnFailedTests: when a host's test_* checks fail right after an apply, the files that run wrote
 * go back from the host's backup store (a file the run created is removed) and the handlers they notify
 * run again, so the service is back on its previous config.
 */
import type { DesiredState } from '../../manifests/types.js';
import { applyPlan, restoreFromBackup, restoreFromPristine } from '../apply/index.js';
import type { ApplyResult, StepResult } from '../apply/types.js';
import type { ObservedState } from '../facts/types.js';
import { summarise } from '../plan/plan-host.js';
import type { Plan, PlanStep } from '../plan/types.js';
import type { Transport } from '../transport/types.js';
import type { HostFailure } from './types.js';

/** What a rollback did. */
export interface RollbackReport {
  /** Paths put back (or removed: the run had created them). */
  restored: string[];
  /** Paths that could not be put back, with the reason. */
  notRestored: { path: string; reason: string }[];
  /** Handler steps run again and how they ended. */
  handlers: StepResult[];
}

/** True when the apply failed only at test steps (every other step changed or did nothing). */
export function failedOnlyAtTests(plan: Plan, apply: ApplyResult): boolean {
  const phase = new Map(plan.steps.map((s) => [s.name, s.phase]));
  const failed = apply.steps.filter((s) => s.status !== 'changed' && s.status !== 'unchanged');
  return failed.length > 0 && failed.every((s) => phase.get(s.name) === 'test' && s.status === 'failed');
}

/**
 * Puts back the files `apply` changed (the latest backup, taken by this run's backup_ step; a file
 * that did not exist before is removed) and runs their handlers again (forced: they ran for the new
 * files). One round trip per file plus one for the handlers. Throws transport errors like applyPlan.
 */
export async function rollBackRun(args: {
  desired: DesiredState; observed: ObservedState; plan: Plan; apply: ApplyResult; transport: Transport; signal?: AbortSignal;
}): Promise<RollbackReport> {
  const files = changedFileSteps(args.plan, args.apply, args.desired);
  const report: RollbackReport = { restored: [], notRestored: [], handlers: [] };
  const signal = args.signal ? { signal: args.signal } : {};
  for (const { step, path } of files) {
    const target = { transport: args.transport, path, name: `rollback_${step.name.replace(/^regen_/, '')}`, ...signal };
    const result = step.content?.before === undefined ? await restoreFromPristine(target) : await restoreFromBackup({ ...target, revision: 1 });
    if (result.status === 'changed' || result.status === 'unchanged') report.restored.push(path);
    else report.notRestored.push({ path, reason: (result.stderr ?? result.status).trim() });
  }
  const restoredIds = new Set(files.filter((f) => report.restored.includes(f.path)).map((f) => f.step.resource));
  const handlers: PlanStep[] = args.plan.steps
    .filter((s) => s.phase === 'handler' && (s.triggeredBy ?? []).some((id) => restoredIds.has(id)))
    .map(({ mayChange: _m, ...s }) => ({ ...s, action: 'update', notifies: [] }));
  if (handlers.length > 0) {
    const plan: Plan = { host: args.plan.host, steps: handlers, summary: summarise(handlers), inSync: false };
    const result = await applyPlan({ desired: args.desired, observed: args.observed, plan, transport: args.transport, options: { partial: true, ...signal } });
    report.handlers = result.steps;
  }
  return report;
}

/** The run's error after a rollback: `E_ROLLED_BACK` naming the failed check, with its output. */
export function rolledBackFailure(apply: ApplyResult, report: RollbackReport): HostFailure & { step?: string; stderrTail?: string } {
  const failed = apply.steps.find((s) => s.status === 'failed');
  const check = failed ? `${failed.name} failed${failed.exitCode !== undefined ? ` (exit ${failed.exitCode})` : ''}` : 'a check failed';
  const put = report.restored.length > 0 ? `; put back ${report.restored.join(', ')}` : '; no file to put back';
  const notPut = report.notRestored.length > 0 ? `; NOT put back: ${report.notRestored.map((n) => `${n.path} (${n.reason})`).join(', ')}` : '';
  const ran = report.handlers.length > 0 ? `; ran again ${report.handlers.map((h) => `${h.name} (${h.status})`).join(', ')}` : '';
  return {
    code: 'E_ROLLED_BACK', unreachable: false, message: `RolledBack: ${check}${put}${notPut}${ran}`,
    ...(failed ? { step: failed.name } : {}), ...(failed?.stderr ? { stderrTail: failed.stderr } : {}),
  };
}

function changedFileSteps(plan: Plan, apply: ApplyResult, desired: DesiredState): { step: PlanStep; path: string }[] {
  const changed = new Set(apply.steps.filter((s) => s.status === 'changed').map((s) => s.name));
  const files = new Map(desired.resources.filter((r) => r.kind === 'file').map((r) => [r.id, r]));
  return plan.steps.flatMap((step) => {
    const file = files.get(step.resource);
    if (!file || !changed.has(step.name) || (step.phase !== 'regen' && step.phase !== 'install')) return [];
    return [{ step, path: typeof file.spec.path === 'string' ? file.spec.path : file.key }];
  });
}
