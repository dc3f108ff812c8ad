import type { Command } from 'commander';
import { planHosts } from '../../reconcile/hosts.js';
import { openSession, type Session } from '../../reconcile/session.js';
import type { HostPlanResult, UnplannedHost } from '../../reconcile/types.js';
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
  dryRun?: boolean; yes?: boolean; test?: boolean; overrideWindow?: boolean; host?: string[]; group?: string; state?: string; output: string; concurrency?: string;
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

/** What planning the selected hosts produced; the session stays open for an apply that follows. */
export interface PlannedRun {
  session: Session;
  results: HostPlanResult[];
}

/** Opens a session (repository, selected hosts, SSH settings), observes and plans the hosts in parallel. Close the session when done. */
export async function planSelected(io: CliIo, repo: string, opts: PlanOptions, command: string): Promise<PlannedRun> {
  const output = parseOutput(opts.output);
  const root = await resolveRepo(io, repo, command);
  const session = await openSession({
    root, ssh: sshSettingsFrom(io, opts), select: (hosts) => selectHosts(hosts, opts),
    ...(opts.concurrency === undefined ? {} : { concurrency: positiveInt('--concurrency', opts.concurrency) }),
  });
  const progress = createProgress(io, session.hosts.length);
  try {
    // Decrypted before any host is contacted: a missing or wrong identity touches no host.
    await loadRepositorySecrets(io, { root, hosts: session.hosts, flag: opts.ageIdentity });
    const results = await planHosts({
      hosts: session.hosts, concurrency: session.concurrency, withTexts: opts.diff && output === 'text', onProgress: progress.onProgress,
      transportFor: session.transportFor,
    });
    progress.finish();
    return { session, results };
  } catch (err) {
    await session.close();
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

/** Plans and prints; resolves with the exit code (0 in sync, 2 drift, 3 hosts not planned). */
export async function runPlan(io: CliIo, repo: string, opts: PlanOptions): Promise<number> {
  const run = await planSelected(io, repo, opts, 'plan');
  try {
    printPlans(io, run.results, parseOutput(opts.output));
    return exitCodeOf(run.results);
  } finally {
    await run.session.close();
  }
}

/** Prints plans as text (with summary table) or JSON. */
export function printPlans(io: CliIo, results: HostPlanResult[], output: 'text' | 'json'): void {
  if (output === 'json') {
    const hosts = results.map((r) => ('plan' in r ? { host: r.host, address: r.address, plan: r.plan, durationMs: r.durationMs } : unplannedJson(r)));
    println(io, JSON.stringify({ hosts, exitCode: exitCodeOf(results) }, null, 2));
    return;
  }
  const color = useColor(io);
  for (const r of results) println(io, renderHostPlan(r, { color }));
  println(io);
  println(io, renderSummary(results));
}

/** An unplanned host as `--output json` shows it (the fields it always had). */
function unplannedJson(r: UnplannedHost): object {
  return { host: r.host, address: r.address, error: r.error, durationMs: r.durationMs };
}

/**
 * As for apply: 3 when any host could not be planned (unreachable, refused), however many;
 * otherwise 2 on drift, 0 when all are in sync. 1 is only for errors that stop the whole command.
 */
export function exitCodeOf(results: HostPlanResult[]): number {
  if (results.some((r) => 'error' in r)) return ExitCode.partial;
  return results.some((r) => 'plan' in r && !r.plan.inSync) ? ExitCode.drift : ExitCode.ok;
}
