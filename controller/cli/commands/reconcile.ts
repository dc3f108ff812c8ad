import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { DroverError } from '../../../manifests/errors.js';
import { applyHosts } from '../../reconcile/apply-hosts.js';
import type { HostApplyResult } from '../../reconcile/types.js';
import { ExitCode } from '../exit-codes.js';
import { type CliIo, println } from '../io.js';
import { parseOutput, setExitCode } from '../context.js';
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
    .option('-y, --yes', 'apply without asking for confirmation');
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
    if (drifted > 0 && !(await confirmed(io, opts, drifted))) {
      println(io, 'Nothing applied.');
      return ExitCode.error;
    }
    const progress = createProgress(io, run.results.length);
    const results = await applyHosts({
      planned: run.results, desired: run.hosts, concurrency: run.concurrency, onProgress: progress.onProgress,
      transportFor: (h) => run.pool.get(h.host.name),
    });
    progress.finish();
    printApply(io, results, output);
    return applyExitCode(results);
  } finally {
    await run.pool.closeAll();
  }
}

async function confirmed(io: CliIo, opts: PlanOptions, hosts: number): Promise<boolean> {
  if (opts.yes) return true;
  if (!io.stdin?.isTTY) {
    throw new DroverError('E_USAGE', 'refusing to apply without confirmation: there is no terminal to ask; pass --yes to apply, or --dry-run to only see the plan');
  }
  const rl = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream });
  try {
    const answer = await rl.question(`\nApply these changes to ${hosts} host${hosts === 1 ? '' : 's'}? Only "yes" is accepted: `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
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

/** 0 when every host converged, 1 when none did, 3 when some did and others failed. */
export function applyExitCode(results: HostApplyResult[]): number {
  const ok = results.filter(hostSucceeded).length;
  if (ok === results.length) return ExitCode.ok;
  return ok === 0 ? ExitCode.error : ExitCode.partial;
}
