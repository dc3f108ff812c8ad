/**
 * restore_<x>: puts a managed file back on demand (`drover run HOST restore_x`): as it was before drover first
 * changed it (the pristine copy), or a revision of the backup store. Automatic restores after a failed step
 * need no call: the run does them.
 */
import { randomBytes } from 'node:crypto';
import { slug } from '../plan/naming.js';
import type { Transport } from '../transport/types.js';
import { restoreAction, restorePristineAction } from './actions/checks.js';
import { purgedRestoreAction } from './prune.js';
import { runHostScript } from './execute.js';
import { assembleMain, type ScriptEntry } from './script.js';
import type { ActionScript, StepResult } from './types.js';

/** What to restore: `path`, reported under step `name` (default `restore_<file name>`). */
export interface RestoreArgs {
  transport: Transport;
  path: string;
  name?: string;
  signal?: AbortSignal;
}

/**
 * Restores revision `revision` (1 = the latest backup, 2 = the one before...) of `path`, with the mode and
 * owner it had, atomically, in one round trip. Resolves with the step's result (`failed` with the reason when
 * the store has no such revision). Throws transport errors and E_APPLY_FAILED / E_APPLY_BUSY like applyPlan.
 */
export async function restoreFromBackup(args: RestoreArgs & { revision?: number }): Promise<StepResult> {
  return runRestore(args, restoreAction(args.path, args.revision ?? 1));
}

/**
 * Puts `path` back as it was before drover first changed it on this host (content, mode, owner), or removes
 * it when drover created it; atomically, in one round trip. Resolves with the step's result (`failed` when
 * there is no pristine copy). Throws like restoreFromBackup.
 */
export async function restoreFromPristine(args: RestoreArgs): Promise<StepResult> {
  return runRestore(args, restorePristineAction(args.path));
}

/**
 * Puts back every entry purged from the owned directory `path` (purge_ steps) that is still absent: files
 * from the backup store with their mode and owner, symlinks with their target. Resolves with the step's
 * result (`failed` when nothing was ever purged there). Throws like restoreFromBackup.
 */
export async function restorePurged(args: RestoreArgs): Promise<StepResult> {
  return runRestore({ ...args, name: args.name ?? `restore_dir_${slug(args.path)}` }, purgedRestoreAction(args.path));
}

async function runRestore(args: RestoreArgs, action: ActionScript): Promise<StepResult> {
  const token = `drover${randomBytes(12).toString('hex')}`;
  const name = args.name ?? `restore_${slug(args.path.split('/').pop() ?? args.path)}`;
  const entries: ScriptEntry[] = [{ name, resource: `file:${args.path}`, role: 'step', runs: true }];
  // A restore's own output quotes no declared secret; the default secrets dir is still masked (resources: []).
  const script = assembleMain({ token, functions: [`_s0() {\n${action.script}\nexit 0\n}`], calls: ['_go 0 _s0'], onSuccess: [], resources: [] });
  const report = await runHostScript({
    transport: args.transport, files: [{ name: 'run.sh', content: Buffer.from(script) }], entries, token, ...(args.signal ? { signal: args.signal } : {}),
  });
  return report.steps[0]!;
}
