import type { Command } from 'commander';
import { planHosts } from '../../reconcile/hosts.js';
import { openSession, type Session } from '../../reconcile/session.js';
import type { HostPlanResult, UnplannedHost } from '../../reconcile/types.js';
import { ExitCode } from '../exit-codes.js';
import { type CliIo, println, useColor } from '../io.js';
import { resolveRepo, setExitCode } from '../context.js';
import { DroverError, ManifestInvalidError, formatProblem } from '../../../manifests/errors.js';
import { renderPreviewMarkdown } from '../../reconcile/preview/markdown.js';
import { withRefTrees, type RefTrees } from '../plan-ref.js';
import { printPlanReport } from '../render-preview.js';
import { createProgress } from '../progress.js';
import { renderHostPlan, renderSummary } from '../render-plan.js';
import { collect, selectHosts } from '../select.js';
import { addSshOptions, positiveInt, sshSettingsFrom } from '../ssh-options.js';
import { addAgeIdentityOption, loadRepositorySecrets } from '../age-identity.js';

/** Options shared by plan and reconcile. */
export interface PlanOptions {
  dryRun?: boolean; yes?: boolean; test?: boolean; overrideWindow?: boolean; host?: string[]; group?: string; state?: string; output: string; concurrency?: string;
  diff: boolean; knownHosts?: string; identity?: string[]; connectTimeout?: string; ageIdentity?: string;
  /** plan only: the revision to plan instead of the working tree, and one to tell its own changes from drift. */
  ref?: string; base?: string;
}

/** The output formats of plan (markdown: a pull-request comment); apply commands take text or json. */
export type PlanOutput = 'text' | 'json' | 'markdown';

/** Parses plan's --output; throws E_USAGE for an unknown format. */
export function parsePlanOutput(value: string): PlanOutput {
  if (value === 'text' || value === 'json' || value === 'markdown') return value;
  throw new DroverError('E_USAGE', `unknown --output "${value}"; use text, json or markdown`);
}

/** Adds the host-selection and output options of plan and reconcile (`formats`: the --output help). */
export function addPlanOptions(cmd: Command, formats = 'text or json'): Command {
  cmd
    .argument('[repo]', 'manifest repository directory', '.')
    .option('--host <name>', 'only these hosts (repeatable, or comma-separated)', collect)
    .option('--group <group>', 'only hosts of this group')
    .option('--state <state>', 'only hosts in this state (e.g. production)')
    .option('-o, --output <format>', formats, 'text')
    .option('-c, --concurrency <n>', 'hosts worked on at once (default: settings.concurrency of drover.yaml)')
    .option('--no-diff', 'do not fetch old file contents for diffs');
  return addAgeIdentityOption(addSshOptions(cmd));
}

/** What planning the selected hosts produced; the session stays open for an apply that follows. */
export interface PlannedRun {
  session: Session;
  results: HostPlanResult[];
}

/**
 * Opens a session (repository, selected hosts, SSH settings), observes and plans the hosts in parallel.
 * `tree`: the manifest directory to load instead of REPO (a materialised --ref). Close the session when done.
 */
export async function planSelected(io: CliIo, repo: string, opts: PlanOptions, command: string, tree?: string): Promise<PlannedRun> {
  const output = parsePlanOutput(opts.output);
  const root = tree ?? await resolveRepo(io, repo, command);
  const session = await openSession({
    root, ssh: sshSettingsFrom(io, opts), select: (hosts) => selectHosts(hosts, opts),
    ...(opts.concurrency === undefined ? {} : { concurrency: positiveInt('--concurrency', opts.concurrency) }),
  });
  const progress = createProgress(io, session.hosts.length);
  try {
    // Decrypted before any host is contacted: a missing or wrong identity touches no host.
    await loadRepositorySecrets(io, { root, hosts: session.hosts, flag: opts.ageIdentity });
    const results = await planHosts({
      hosts: session.hosts, concurrency: session.concurrency, withTexts: opts.diff && output !== 'json', onProgress: progress.onProgress,
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
  const cmd = program.command('plan').description('show what reconcile would change (same as reconcile --dry-run)')
    .option('--ref <ref>', 'plan this branch, tag or commit of the repository\'s Git (origin/... too) instead of the working tree; touches neither')
    .option('--base <ref>', 'tell the changes of --ref (or the working tree) from drift: compare its desired states with this revision\'s');
  addPlanOptions(cmd, 'text, json or markdown (a pull-request comment)').action(async (repo: string, opts: PlanOptions, self: Command) => {
    setExitCode(self, await runPlan(io, repo, opts));
  });
}

/** Plans and prints; resolves with the exit code (0 in sync, 2 drift, 3 hosts not planned). */
export async function runPlan(io: CliIo, repo: string, opts: PlanOptions): Promise<number> {
  const output = parsePlanOutput(opts.output);
  const dir = await resolveRepo(io, repo, 'plan');
  return withRefTrees(io, dir, opts, async (trees) => {
    const run = await planSelected(io, repo, opts, 'plan', trees.head?.dir).catch((err: unknown) => {
      // A pull-request comment says why nothing was planned; the exit code is still 1.
      if (output === 'markdown' && err instanceof ManifestInvalidError) return invalidMarkdown(io, err, opts, trees);
      throw err;
    });
    if (run === undefined) return ExitCode.error;
    try {
      const exitCode = exitCodeOf(run.results);
      if (output !== 'markdown' && !trees.base) printPlans(io, run.results, output);
      else printPlanReport(io, run.results, reportOf(run, trees, opts, exitCode), output);
      return exitCode;
    } finally {
      await run.session.close();
    }
  });
}

function invalidMarkdown(io: CliIo, err: ManifestInvalidError, opts: PlanOptions, trees: RefTrees): undefined {
  io.stdout.write(renderPreviewMarkdown({
    title: opts.ref ?? 'the working tree', hosts: [], problems: err.problems.map(formatProblem),
    ...(trees.head ? { revision: `${opts.ref}@sha1:${trees.head.commit}` } : {}),
  }));
  return undefined;
}

function reportOf(run: PlannedRun, trees: RefTrees, opts: PlanOptions, exitCode: number): Parameters<typeof printPlanReport>[2] {
  const desired = new Map(run.session.hosts.map((h) => [h.host.name, h]));
  const filtered = opts.host !== undefined || opts.group !== undefined || opts.state !== undefined;
  const removed = trees.base && !filtered ? [...trees.base.hosts.keys()].filter((name) => !desired.has(name)).sort() : [];
  return {
    title: opts.ref ?? 'the working tree', desired, removed, exitCode,
    ...(trees.head ? { revision: `${opts.ref}@sha1:${trees.head.commit}` } : {}),
    ...(trees.base ? { base: { label: `${trees.base.ref} (${trees.base.commit.slice(0, 12)})`, hosts: trees.base.hosts } } : {}),
  };
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
