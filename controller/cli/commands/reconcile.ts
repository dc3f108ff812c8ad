import type { Command } from 'commander';
import { applyWithPolicies, type LaneReport } from '../../reconcile/rollout-hosts.js';
import { converged } from '../../reconcile/pipeline.js';
import type { HostResult } from '../../reconcile/types.js';
import { ExitCode } from '../exit-codes.js';
import { type CliIo, println } from '../io.js';
import { parseOutput, setExitCode } from '../context.js';
import { confirmed } from '../confirm.js';
import { createProgress } from '../progress.js';
import { renderApplyResult, renderApplySummary } from '../render-apply.js';
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
    .option('--test', "also run the test_* checks of hosts already in sync (a health check); drifted hosts run them after apply anyway")
    .option('--override-window', 'apply outside the maintenance windows (drover.yaml `windows`) too');
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
    const { results, lanes } = await applyWithPolicies({
      planned: run.results, desired: run.session.hosts, concurrency: run.session.concurrency, onProgress: progress.onProgress,
      transportFor: run.session.transportFor, connectFresh: run.session.connectFresh, runTests: opts.test === true, session: run.session,
      now: () => Date.now(), wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)), overrideWindow: opts.overrideWindow === true,
      onWave: (lane, wave, of) => { if (output === 'text') println(io, `rollout${lane === 'default' ? '' : ` ${lane}`}: wave ${wave.name} (${wave.index + 1}/${of}): ${wave.hosts.join(', ')}`); },
    });
    progress.finish();
    printApply(io, results, output, lanes);
    return applyExitCode(results);
  } finally {
    await run.session.close();
  }
}

function printApply(io: CliIo, results: HostResult[], output: 'text' | 'json', lanes: LaneReport[]): void {
  if (output === 'json') {
    println(io, JSON.stringify({ hosts: results, rollouts: lanes, exitCode: applyExitCode(results) }, null, 2));
    return;
  }
  println(io);
  for (const r of results) println(io, renderApplyResult(r));
  println(io);
  println(io, renderApplySummary(results));
  for (const lane of lanes.filter((l) => l.halted !== undefined)) {
    println(io, `rollout${lane.lane === 'default' ? '' : ` ${lane.lane}`} Halted: ${lane.halted}; later waves were not applied`);
  }
}

/**
 * 0 when every host converged (or was in sync), 3 when any host failed, however many; 2 when none
 * failed but some were held (outside their window, or a halted rollout's later waves): drift remains.
 */
export function applyExitCode(results: HostResult[]): number {
  const held = (r: HostResult): boolean => r.outcome === 'held';
  if (!results.every((r) => held(r) || converged(r))) return ExitCode.partial;
  return results.some(held) ? ExitCode.drift : ExitCode.ok;
}
