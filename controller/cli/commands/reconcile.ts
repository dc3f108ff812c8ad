import type { Command } from 'commander';
import { applyHosts } from '../../reconcile/apply-hosts.js';
import type { HostApplyResult } from '../../reconcile/types.js';
import { ExitCode } from '../exit-codes.js';
import { type CliIo, println } from '../io.js';
import { parseOutput, setExitCode } from '../context.js';
import { confirmed } from '../confirm.js';
import { createProgress } from '../progress.js';
import { hostSucceeded, renderApplyResult, renderApplySummary } from '../render-apply.js';
import { addPlanOptions, planSelected, printPlans, runPlan, type PlanOptions } from './plan.js';

/**
 * `drover reconcile [REPO]`: shows the plan, asks for confirmation on a TTY (or takes --yes; refuses
 * without either), applies hosts in parallel, re-observes to confirm, prints a summary.
 * `--dry-run` only shows the plan (same as `drover plan`).
 */
export function registerReconcile(program: Command, io: CliIo): void {
  const cmd = program
    .command('reconcile')
    .description('converge hosts to the manifests (--dry-run: only show the plan)')
    .option('--dry-run', 'only show the plan; change nothing')
    .option('-y, --yes', 'apply without asking for confirmation')
    .option('--test', "also run the test_* checks of hosts already in sync (a health check); drifted hosts run them after apply anyway");
  addPlanOptions(cmd).action(async (repo: string, opts: PlanOptions, self: Command) => {
    setExitCode(self, opts.dryRun ? await runPlan(io, repo, opts) : await runReconcile(io, repo, opts));
  });
}

async function runReconcile(io: CliIo, repo: string, opts: PlanOptions): Promise<number> {
  const output = parseOutput(opts.output);
  const run = await planSelected(io, repo, opts, 'reconcile');
  try {
    if (output === 'text') printPlans(io, run.results, 'text');
    const drifted = run.results.filter((r) => 'plan' in r && !r.plan.inSync).length;
    const question = `Apply these changes to ${drifted} host${drifted === 1 ? '' : 's'}?`;
    if (drifted > 0 && !(await confirmed(io, { yes: opts.yes, question, dryRunHint: '--dry-run to only see the plan' }))) {
      println(io, 'Nothing applied.');
      return ExitCode.error;
    }
    const progress = createProgress(io, run.results.length);
    const results = await applyHosts({
      planned: run.results, desired: run.session.hosts, concurrency: run.session.concurrency, onProgress: progress.onProgress,
      transportFor: run.session.transportFor, runTests: opts.test === true,
    });
    progress.finish();
    printApply(io, results, output);
    return applyExitCode(results);
  } finally {
    await run.session.close();
  }
}

function printApply(io: CliIo, results: HostApplyResult[], output: 'text' | 'json'): void {
  if (output === 'json') {
    println(io, JSON.stringify({ hosts: results, exitCode: applyExitCode(results) }, null, 2));
    return;
  }
  println(io);
  for (const r of results) println(io, renderApplyResult(r));
  println(io);
  println(io, renderApplySummary(results));
}

/** 0 when every host converged (or was in sync), 3 when any host failed, however many (SPEC §5). */
export function applyExitCode(results: HostApplyResult[]): number {
  return results.every(hostSucceeded) ? ExitCode.ok : ExitCode.partial;
}
