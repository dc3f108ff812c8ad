import { DroverError } from '../../manifests/errors.js';
import type { DesiredState } from '../../manifests/types.js';
import { restoreFromBackup, restoreFromPristine, restorePurged } from '../apply/index.js';
import { slug } from '../plan/naming.js';
import { pathOf } from '../apply/actions/common.js';
import type { StepResult } from '../apply/types.js';
import type { Plan } from '../plan/types.js';
import type { Transport } from '../transport/types.js';
import { maskDeep, secretsOf } from './mask.js';

/** A `restore_<x>` step: puts one managed file back (not part of any plan: it is only run on demand). */
export interface RestoreStep {
  name: string;
  phase: 'restore';
  group: string;
  resource: string;
  path: string;
  /** A directory with `purge: true`: the step puts back the entries purged from it (`restore_dir_<path>`). */
  purged?: true;
}

/**
 * One restore_<x> per managed file, named after its work step (`regen_motd` -> `restore_motd`), in plan order,
 * then one restore_dir_<path> per directory with `purge: true` (what purge_ steps removed there).
 * Files sharing a step name (`step:`) share the restore step.
 */
export function restoreSteps(plan: Plan, desired: DesiredState): RestoreStep[] {
  const files = new Map(desired.resources.filter((r) => r.kind === 'file').map((r) => [r.id, r]));
  const steps: RestoreStep[] = [];
  for (const s of plan.steps) {
    const file = files.get(s.resource);
    if (file === undefined || (s.phase !== 'regen' && s.phase !== 'install')) continue;
    steps.push({ name: `restore_${s.name.replace(/^regen_/, '')}`, phase: 'restore', group: s.group, resource: s.resource, path: pathOf(file) });
  }
  for (const r of desired.resources) {
    if (r.kind !== 'directory' || r.spec.purge !== true) continue;
    const group = plan.steps.find((s) => s.resource === r.id)?.group ?? `setup_${slug(r.role ?? desired.host.name)}`;
    steps.push({ name: `restore_dir_${slug(pathOf(r))}`, phase: 'restore', group, resource: r.id, path: pathOf(r), purged: true });
  }
  return steps;
}

/**
 * The restore steps named `name`; throws DroverError E_UNKNOWN_STEP naming the restore steps there are.
 */
export function findRestoreSteps(plan: Plan, desired: DesiredState, name: string): RestoreStep[] {
  const all = restoreSteps(plan, desired);
  const chosen = all.filter((s) => s.name === name);
  if (chosen.length > 0) return chosen;
  const names = [...new Set(all.map((s) => s.name))];
  throw new DroverError('E_UNKNOWN_STEP', `${plan.host} has no step "${name}"; restore steps: ${names.join(', ') || '(none: the host manages no file)'}`);
}

/**
 * Runs restore steps, one round trip per file: without `revision`, each file goes back to how it was before
 * drover first changed it on this host (content, mode, owner), and a file drover created is removed; with
 * `revision` N, the Nth latest backup of the store is put back. Resolves with one result per file (`failed`
 * with the reason, e.g. no pristine copy; repository secret values masked). Throws transport errors and
 * E_APPLY_FAILED / E_APPLY_BUSY.
 */
export async function restoreFiles(args: { transport: Transport; desired: DesiredState; steps: RestoreStep[]; revision?: number }): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of args.steps) {
    const target = { transport: args.transport, path: step.path, name: step.name };
    if (step.purged) results.push(await restorePurged(target));
    else results.push(args.revision === undefined ? await restoreFromPristine(target) : await restoreFromBackup({ ...target, revision: args.revision }));
  }
  return maskDeep(results, secretsOf(args.desired));
}
