import type { Command } from 'commander';
import { loadValidRepository } from '../../../manifests/index.js';
import type { DesiredState, RepositorySettings } from '../../../manifests/types.js';
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
import { addAgeIdentityOption, loadRepositorySecrets } from '../age-identity.js';

/** Options shared by plan and reconcile. */
export interface PlanOptions {
  dryRun?: boolean; yes?: boolean; host?: string[]; group?: string; state?: string; output: string; concurrency?: string;
  diff: boolean; knownHosts?: string; identity?: string[]; connectTimeout?: string; ageIdentity?: string;
}

/** Adds the host-selection and output options of plan and reconcile. */
export function addPlanOptions(cmd: Command): Command {
  cmd
    .argument('[repo]', 'manifest repository directory', '.')
    .option('--host <name>', 'only these hosts (repeatable, or comma-separated)', collect)
    .option('--group <group>', 'only hosts of this group')
    .option('--state <state>', 'only hosts in this state (e.g. production)')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('-c, --concurrency <n>', 'hosts worked on at once (default: settings.concurrency of drover.yaml)')
    .option('--no-diff', 'do not fetch old file contents for diffs');
  return addAgeIdentityOption(addSshOptions(cmd));
}

/** What planning the selected hosts produced; the pool stays open for an apply that follows. */
export interface PlannedRun {
  hosts: DesiredState[];
  settings: RepositorySettings;
  results: HostPlanResult[];
  pool: TransportPool;
  concurrency: number;
}

/** Loads the repository, selects hosts, observes and plans them in parallel. Close `pool` when done. */
export async function planSelected(io: CliIo, repo: string, opts: PlanOptions, command: string): Promise<PlannedRun> {
  const output = parseOutput(opts.output);
  const root = await resolveRepo(io, repo, command);
  const loaded = await loadValidRepository(root);
  const hosts = selectHosts(loaded.hosts, opts);
  await loadRepositorySecrets(io, { root, hosts, flag: opts.ageIdentity });
  const ssh = sshSettingsFrom(io, opts);
  const concurrency = opts.concurrency === undefined ? loaded.settings.concurrency : positiveInt('--concurrency', opts.concurrency);
  const byName = new Map(hosts.map((h) => [h.host.name, h]));
  const pool = new TransportPool({ connect: (name) => connectHost(byName.get(name)!.host, ssh) });
  const progress = createProgress(io, hosts.length);
  try {
    const results = await planHosts({
      hosts, concurrency, withTexts: opts.diff && output === 'text', onProgress: progress.onProgress,
      transportFor: (h) => pool.get(h.host.name),
    });
    progress.finish();
    return { hosts, settings: loaded.settings, results, pool, concurrency };
  } catch (err) {
    await pool.closeAll();
    throw err;
  }
}

/** `drover plan`: what reconcile would change on which host, and why (same as reconcile --dry-run). */
export function registerPlan(program: Command, io: CliIo): void {
  const cmd = program.command('plan').description('show what reconcile would change (same as reconcile --dry-run)');
  addPlanOptions(cmd).action(async (repo: string, opts: PlanOptions, self: Command) => {
    setExitCode(self, await runPlan(io, repo, opts));
  });
}

/** Plans and prints; resolves with the exit code (0 in sync, 2 drift, 3 unobserved hosts, 1 errors). */
export async function runPlan(io: CliIo, repo: string, opts: PlanOptions): Promise<number> {
  const run = await planSelected(io, repo, opts, 'plan');
  try {
    printPlans(io, run.results, parseOutput(opts.output));
    return exitCodeOf(run.results);
  } finally {
    await run.pool.closeAll();
  }
}

/** Prints plans as text (with summary table) or JSON. */
export function printPlans(io: CliIo, results: HostPlanResult[], output: 'text' | 'json'): void {
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

/**
 * As for apply (SPEC §5): 3 when some hosts could not be planned (unreachable, refused) and others
 * were, 1 when none was; otherwise 2 on drift, 0 when all are in sync.
 */
export function exitCodeOf(results: HostPlanResult[]): number {
  const failed = results.filter((r) => 'error' in r).length;
  if (failed > 0) return failed === results.length ? ExitCode.error : ExitCode.partial;
  return results.some((r) => 'plan' in r && !r.plan.inSync) ? ExitCode.drift : ExitCode.ok;
}
