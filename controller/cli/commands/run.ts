import type { Command } from 'commander';
import { DroverError } from '../../../manifests/errors.js';
import { applyStep, narrowToStep } from '../../reconcile/run-step.js';
import type { PlannedHost } from '../../reconcile/types.js';
import { ExitCode } from '../exit-codes.js';
import { type CliIo, println, useColor } from '../io.js';
import { renderHostPlan } from '../render-plan.js';
import { renderApplyResult } from '../render-apply.js';
import { converged } from '../../reconcile/pipeline.js';
import { setExitCode } from '../context.js';
import { confirmed } from '../confirm.js';
import { addSshOptions, positiveInt } from '../ssh-options.js';
import { addAgeIdentityOption } from '../age-identity.js';
import { planSelected, type PlanOptions, type PlannedRun } from './plan.js';
import { runRestore } from './restore.js';

/** Options of `drover run`. */
export interface RunOptions extends PlanOptions {
  revision?: string;
}

/**
 * `drover run HOST STEP [REPO]`: runs one named step (or a setup_<role> compound) and what it needs
 * (the steps of resources it depends on, backups, triggered handlers), like `fab HOST STEP`; a test_ step
 * runs its check; a restore_ step puts a managed file back. Asks like reconcile (--yes), or only shows
 * what would run (--dry-run). Exit 0 done (or in sync), 2 drift (dry run), 3 the host failed, 1 errors.
 */
export function registerRun(program: Command, io: CliIo): void {
  const cmd = program
    .command('run')
    .description('run one named step (see drover steps) and what it needs on one host')
    .argument('<host>', 'inventory host name')
    .argument('<step>', 'step name, e.g. regen_etc_nginx_nginx_conf, setup_nginx, test_nginx_http or restore_etc_nginx_nginx_conf')
    .argument('[repo]', 'manifest repository directory', '.')
    .option('--dry-run', 'only show what the step would change; change nothing')
    .option('-y, --yes', 'apply without asking for confirmation')
    .option('--revision <n>', 'restore_ steps: put back the Nth latest backup instead of the file as it was before drover');
  addAgeIdentityOption(addSshOptions(cmd)).action(async (host: string, step: string, repo: string, opts: RunOptions, self: Command) => {
    const revision = opts.revision === undefined ? undefined : positiveInt('--revision', opts.revision);
    if (revision !== undefined && !step.startsWith('restore_')) {
      throw new DroverError('E_USAGE', `--revision is for restore_ steps only (e.g. "drover run ${host} restore_<file> --revision ${revision}"); see "drover steps ${host}"`);
    }
    const run = await planSelected(io, repo, { ...opts, host: [host], output: 'text', diff: true }, `run ${host} ${step}`);
    try {
      const [planned] = run.results;
      const desired = run.session.hosts[0];
      if (!planned || 'error' in planned || !desired) {
        println(io, planned ? renderHostPlan(planned, { color: useColor(io) }) : `${host}: not planned`);
        setExitCode(self, ExitCode.partial);
        return;
      }
      const code = step.startsWith('restore_')
        ? await runRestore(io, { run, planned, desired, step, yes: opts.yes === true, dryRun: opts.dryRun === true, ...(revision === undefined ? {} : { revision }) })
        : await runStep(io, run, planned, step, opts);
      setExitCode(self, code);
    } finally {
      await run.session.close();
    }
  });
}

async function runStep(io: CliIo, run: PlannedRun, planned: PlannedHost, step: string, opts: RunOptions): Promise<number> {
  const narrowed = narrowToStep(planned, step);
  const checks = narrowed.plan.steps.filter((s) => s.phase === 'test');
  if (checks.length === narrowed.plan.steps.length) {
    for (const c of checks) println(io, `  ${planned.host} (${planned.address}): ${c.name}: ${c.reasons.join('; ')}`);
  } else {
    println(io, renderHostPlan(narrowed, { color: useColor(io) }));
  }
  if (opts.dryRun) return narrowed.plan.inSync ? ExitCode.ok : ExitCode.drift;
  const question = `Run ${step} on ${planned.host}?`;
  if (!narrowed.plan.inSync && !(await confirmed(io, { yes: opts.yes, question, dryRunHint: '--dry-run to only see what it would change' }))) {
    println(io, 'Nothing applied.');
    return ExitCode.error;
  }
  const result = await applyStep(run.session, narrowed);
  println(io, renderApplyResult(result));
  return converged(result) ? ExitCode.ok : ExitCode.partial;
}
