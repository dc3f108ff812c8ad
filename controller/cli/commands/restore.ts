import type { DesiredState } from '../../../manifests/types.js';
import { toHostFailure } from '../../reconcile/failure.js';
import { findRestoreSteps, restoreFiles } from '../../reconcile/restore-files.js';
import type { PlannedHost } from '../../reconcile/types.js';
import { confirmed } from '../confirm.js';
import { ExitCode } from '../exit-codes.js';
import { type CliIo, eprintln, println } from '../io.js';
import type { PlannedRun } from './plan.js';

/** What `drover run HOST restore_x` needs. */
export interface RestoreRequest {
  run: PlannedRun;
  planned: PlannedHost;
  desired: DesiredState;
  step: string;
  yes: boolean;
  dryRun: boolean;
  /** Put back this backup revision (1 = latest) instead of the pristine copy. */
  revision?: number;
}

/** The warning every restore prints: the manifests still declare the file. */
export const SELF_HEAL_WARNING =
  'warning: the manifests still declare these files: a drover controller in selfHeal mode converges them again at its next drift check unless the host is suspended (`drover suspend HOST`); the next `drover reconcile` does the same';

/**
 * Runs a restore_ step: says what it puts back, asks (--yes), restores each file, prints the results and the
 * self-heal warning. Resolves with the exit code: 0 restored, 3 a file could not be restored, 1 not confirmed.
 */
export async function runRestore(io: CliIo, request: RestoreRequest): Promise<number> {
  const { planned, desired, step, revision } = request;
  const steps = findRestoreSteps(planned.plan, desired, step);
  const what = revision === undefined ? 'as it was before drover first changed it (a file drover created is removed)' : `from backup revision ${revision} (1 = the latest)`;
  for (const s of steps) {
    const text = s.purged ? `put back every entry purge removed from ${s.path} that is still absent (from the backup store)` : `put ${s.path} back ${what}`;
    println(io, `  ${planned.host} (${planned.address}): ${s.name}: ${text}`);
  }
  eprintln(io, SELF_HEAL_WARNING);
  if (request.dryRun) return ExitCode.drift;
  const question = `Restore ${steps.length} file${steps.length === 1 ? '' : 's'} on ${planned.host}?`;
  if (!(await confirmed(io, { yes: request.yes, question, dryRunHint: '--dry-run to only see what it would put back' }))) {
    println(io, 'Nothing restored.');
    return ExitCode.error;
  }
  let results;
  try {
    const transport = await request.run.session.transportFor(desired);
    results = await restoreFiles({ transport, desired, steps, ...(revision === undefined ? {} : { revision }) });
  } catch (err) {
    println(io, `! ${planned.host} (${planned.address}): failed: ${toHostFailure(err).message}`);
    return ExitCode.partial;
  }
  for (const r of results) {
    println(io, `    ${r.status === 'changed' ? 'restored' : r.status.padEnd(8)} ${r.name} (${r.resource.replace(/^file:/, '')})${r.status === 'unchanged' ? ': nothing to put back' : ''}`);
    if (r.status === 'failed' && r.stderr) println(io, r.stderr.trimEnd().split('\n').slice(-8).map((l) => `        | ${l}`).join('\n'));
  }
  return results.every((r) => r.status === 'changed' || r.status === 'unchanged') ? ExitCode.ok : ExitCode.partial;
}
