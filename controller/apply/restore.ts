/**
 * restore_<x>: puts a backed-up revision of a managed file back from the host's backup store, on demand
 * (`drover run HOST restore_x`). Automatic restores after a failed step need no call: the run does them.
 */
import { randomBytes } from 'node:crypto';
import { slug } from '../plan/naming.js';
import type { Transport } from '../transport/types.js';
import { restoreAction } from './actions/checks.js';
import { runHostScript } from './execute.js';
import { assembleMain, type ScriptEntry } from './script.js';
import type { StepResult } from './types.js';

/**
 * Restores revision `revision` (1 = the latest backup, 2 = the one before...) of `path`, with the mode and
 * owner it had, atomically, in one round trip. Resolves with the step's result (`failed` with the reason when
 * the store has no such revision). Throws transport errors and E_APPLY_FAILED / E_APPLY_BUSY like applyPlan.
 */
export async function restoreFromBackup(args: { transport: Transport; path: string; revision?: number; signal?: AbortSignal }): Promise<StepResult> {
  const token = `drover${randomBytes(12).toString('hex')}`;
  const entries: ScriptEntry[] = [{ name: `restore_${slug(args.path.split('/').pop() ?? args.path)}`, resource: `file:${args.path}`, role: 'step', runs: true }];
  const script = assembleMain({
    token, functions: [`_s0() {\n${restoreAction(args.path, args.revision ?? 1).script}\nexit 0\n}`], calls: ['_go 0 _s0'], onSuccess: [],
  });
  const report = await runHostScript({
    transport: args.transport, files: [{ name: 'run.sh', content: Buffer.from(script) }], entries, token, ...(args.signal ? { signal: args.signal } : {}),
  });
  return report.steps[0]!;
}
