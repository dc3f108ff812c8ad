/**
 * What a run changed, resource by resource, as conflicts.ts counts it (pure): the work steps (install,
 * regen) the apply reported `changed`, with their reasons and the masked diff of a file's content, and the
 * resources among them that the observation right after the apply still found different.
 */
import { fileDiffLines } from '../../reconcile/file-diff.js';
import type { PlanStep, RunHostResult } from '../../reconcile/types.js';
import type { ChangedResource } from './conflicts.js';

const WORK = new Set(['install', 'regen']);

/** The resources the run's apply changed, in plan order. */
export function changedResources(result: Pick<RunHostResult, 'plan' | 'apply' | 'texts'>): ChangedResource[] {
  const changed = new Set((result.apply?.steps ?? []).filter((s) => s.status === 'changed').map((s) => s.name));
  const byResource = new Map<string, ChangedResource>();
  for (const step of result.plan?.steps ?? []) {
    if (!WORK.has(step.phase) || step.report === true || !changed.has(step.name)) continue;
    const entry = byResource.get(step.resource) ?? { resource: step.resource, steps: [], reasons: [] };
    entry.steps.push(step.name);
    entry.reasons.push(...step.reasons);
    const diff = fileDiffLines(step, result.texts?.[step.resource], { maxLines: 20 });
    if (diff.length) entry.diff = [...(entry.diff ?? []), ...diff];
    byResource.set(step.resource, entry);
  }
  return [...byResource.values()];
}

/** Resources of `changed` that the verify plan (a fresh observation right after the apply) still changes. */
export function notConverged(result: Pick<RunHostResult, 'verify'>, changed: readonly ChangedResource[]): string[] {
  const ids = new Set(changed.map((c) => c.resource));
  const differs = (s: PlanStep): boolean => WORK.has(s.phase) && s.report !== true && (s.action !== 'none' || s.mayChange !== undefined);
  return [...new Set((result.verify?.steps ?? []).filter((s) => differs(s) && ids.has(s.resource)).map((s) => s.resource))];
}
