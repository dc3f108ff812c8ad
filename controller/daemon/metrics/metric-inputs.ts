/**
 * Turns what a host run returned into what the metrics count, so the controller need not know the
 * shape of `drover_resource_changes_total`.
 */
import type { ApplyResult } from '../../reconcile/types.js';
import type { Plan } from '../../reconcile/types.js';
import type { ChangeAction } from './metric-labels.js';

/**
 * The resources an apply changed, one entry each: the work steps (install, regen, clean) whose
 * result is `changed`, with their plan step's kind and action. A step decided on the host (planned
 * as `none` with `mayChange`) that changed counts as an update. Backups, handlers and tests are not
 * resource changes. Empty without an apply (dry runs, report mode, in-sync hosts).
 */
export function changedResources(plan: Plan | undefined, apply: ApplyResult | undefined): { kind: string; action: ChangeAction }[] {
  if (!plan || !apply) return [];
  const changed = new Set(apply.steps.filter((s) => s.status === 'changed').map((s) => s.name));
  return plan.steps
    .filter((s) => changed.has(s.name) && (s.phase === 'install' || s.phase === 'regen' || s.phase === 'clean'))
    .map((s) => ({ kind: s.kind, action: s.action === 'none' ? 'update' : s.action }));
}
