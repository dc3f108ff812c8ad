import type { Command } from 'commander';
import { loadValidRepository } from '../../../manifests/index.js';
import { DroverError } from '../../../manifests/errors.js';
import { planHosts } from '../../reconcile/plan-hosts.js';
import { connectHost } from '../../reconcile/connect.js';
import { TransportPool } from '../../transport/pool.js';
import type { HostPlanResult } from '../../reconcile/types.js';
import { ExitCode } from '../exit-codes.js';
import { type CliIo, println, useColor } from '../io.js';
import { parseOutput, resolveRepo, setExitCode } from '../context.js';
import { createProgress } from '../progress.js';
import { renderHostPlan, renderSummary } from '../render-plan.js';
import { collect, selectHosts } from '../select.js';
import { addSshOptions, positiveInt, sshSettingsFrom } from '../ssh-options.js';

interface PlanOptions {
  dryRun?: boolean; host?: string[]; group?: string; state?: string; output: string; concurrency?: string;
  diff: boolean; knownHosts?: string; identity?: string[]; connectTimeout?: string;
}

/** `drover plan` and `drover reconcile --dry-run`: what would change on which host, and why. */
export function registerPlan(program: Command, io: CliIo): void {
  for (const name of ['plan', 'reconcile']) {
    const cmd = program
      .command(name)
      .description(name === 'plan' ? 'show what reconcile would change (same as reconcile --dry-run)' : 'converge hosts to the manifests (--dry-run: only show the plan)')
      .argument('[repo]', 'manifest repository directory', '.')
      .option('--host <name>', 'only these hosts (repeatable, or comma-separated)', collect)
      .option('--group <group>', 'only hosts of this group')
      .option('--state <state>', 'only hosts in this state (e.g. production)')
      .option('-o, --output <format>', 'text or json', 'text')
      .option('-c, --concurrency <n>', 'hosts observed at once (default: settings.concurrency of drover.yaml)')
      .option('--no-diff', 'do not fetch old file contents for diffs');
    if (name === 'reconcile') cmd.option('--dry-run', 'only show the plan; change nothing');
    addSshOptions(cmd).action(async (repo: string, opts: PlanOptions, self: Command) => {
      if (name === 'reconcile' && !opts.dryRun) {
        throw new DroverError('E_USAGE', 'applying is not available in this version yet; run "drover reconcile --dry-run" (or "drover plan") to see the plan');
      }
      setExitCode(self, await runPlan(io, repo, opts));
    });
  }
}

async function runPlan(io: CliIo, repo: string, opts: PlanOptions): Promise<number> {
  const output = parseOutput(opts.output);
  const root = await resolveRepo(io, repo, 'plan');
  const loaded = await loadValidRepository(root);
  const hosts = selectHosts(loaded.hosts, opts);
  const settings = sshSettingsFrom(io, opts);
  const byName = new Map(hosts.map((h) => [h.host.name, h]));
  const pool = new TransportPool({ connect: (name) => connectHost(byName.get(name)!.host, settings) });
  const progress = createProgress(io, hosts.length);
  try {
    const results = await planHosts({
      hosts,
      transportFor: (h) => pool.get(h.host.name),
      concurrency: opts.concurrency === undefined ? loaded.settings.concurrency : positiveInt('--concurrency', opts.concurrency),
      withTexts: opts.diff && output === 'text',
      onProgress: progress.onProgress,
    });
    progress.finish();
    printResults(io, results, output);
    return exitCodeOf(results);
  } finally {
    await pool.closeAll();
  }
}

function printResults(io: CliIo, results: HostPlanResult[], output: 'text' | 'json'): void {
  if (output === 'json') {
    const hosts = results.map((r) => ('plan' in r ? { host: r.host, address: r.address, plan: r.plan, durationMs: r.durationMs } : r));
    println(io, JSON.stringify({ hosts, exitCode: exitCodeOf(results) }, null, 2));
    return;
  }
  const color = useColor(io);
  for (const r of results) println(io, renderHostPlan(r, { color }));
  println(io);
  println(io, renderSummary(results));
}

/** 3 when some host could not be observed, 1 on other errors, 2 on drift, 0 when all are in sync. */
export function exitCodeOf(results: HostPlanResult[]): number {
  if (results.some((r) => 'error' in r && r.error.unreachable)) return ExitCode.partial;
  if (results.some((r) => 'error' in r)) return ExitCode.error;
  return results.some((r) => 'plan' in r && !r.plan.inSync) ? ExitCode.drift : ExitCode.ok;
}
