/**
 * `npm run bench -- [suite...] [--baseline REF|none] [--markdown FILE]`: drover's benchmarks (a
 * script, not a test). Builds the current checkout and, unless `--baseline none`, a baseline commit
 * (default: the last tag, else HEAD~20) in a temporary git worktree, runs the suites with both
 * builds taking turns, and ends with a table of every figure beside the baseline's: the ratio, a
 * mark when it is worse beyond noise, the goal and whether it is met. Nothing here asserts a time.
 * Suites (default all; see docs/benchmarks.md):
 *   all | ansible   drover vs Ansible on BENCH_HOSTS (20) hosts (all: then scale, and rewrites BENCH_OUT)
 *   drover          drover's CLI rounds and warm check on BENCH_HOSTS hosts, without Ansible
 *   scale           drover's no-op dry run at BENCH_SCALE (50,200) hosts
 *   observe         cold and warm observation against the floor (20 and 50 hosts)
 *   load            loading + validating a generated repository of 1,000 hosts x 50 resources
 *   start           `drover --version` and `drover validate` against `node -e 0`, no fleet (BENCH_START_RUNS, 15)
 *   controller      the running controller (then its HTTP API); http: only the HTTP API
 *   scale-controller  one controller with BENCH_SCALE_HOSTS (1,000) real hosts
 *   preview         a controller's preview of a one-file change on BENCH_HOSTS hosts, warm (POST -> done)
 *   page            the status page's fleet view at BENCH_PAGE_HOSTS (1,000) hosts: server time and weight
 * The fleet suites need root, openssh-server and Debian's `time` (and `ansible` for all/ansible),
 * installed when absent. BENCH_RUNS (3) runs of every fleet figure, medians reported.
 */
import { cpus } from 'node:os';
import { parseBenchArgs, USAGE, type BenchArgs } from './args.js';
import { baselineRef, buildAt, currentBuild, prepareBaseline, resolveCommit, ROOT, type Baseline, type Build } from './builds.js';
import { reportGuard } from './guard.js';
import { loadAverage } from './machine.js';
import { settingsFromEnv, type Settings } from './settings.js';
import { RUNNERS } from './suites.js';
import { mergeFigures, type Figure } from './verdict.js';

const log = (line: string): void => console.error(`[bench] ${line}`);

function runsNote(args: BenchArgs, settings: Settings): string {
  const parts: string[] = [];
  if (args.suites.includes('start')) parts.push(`${settings.startRuns} rounds for the start figures`);
  if (args.suites.some((s) => s !== 'start')) parts.push(`${settings.runs} run${settings.runs === 1 ? '' : 's'} (BENCH_RUNS) for the others`);
  if (args.suites.some((s) => s === 'controller' || s === 'http')) parts.push('one sample each of the controller process\'s RSS; two of the HTTP percentiles (10 s windows, one in each order of the builds)');
  return parts.join('; ');
}

/** Removes the baseline's worktree when the run is interrupted (the finally below does it otherwise). */
function removeOnSignal(baseline: Baseline): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      baseline.remove();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

async function main(argv: string[]): Promise<void> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const settings = settingsFromEnv();
  const startedAt = new Date().toISOString();
  const command = ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' ');
  const ref = baselineRef(args.baseline);
  try {
    if (ref) resolveCommit(ref);
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 2;
    return;
  }
  log('building the current checkout (npm run build)');
  buildAt(ROOT);
  const builds: Build[] = [currentBuild()];
  const baseline = ref ? prepareBaseline(ref, log) : undefined;
  if (baseline) {
    removeOnSignal(baseline);
    builds.push(baseline.build);
  }
  const loadAtStart = loadAverage();
  try {
    let figures: Figure[] = [];
    for (const suite of args.suites) {
      log(`suite ${suite}${baseline ? ` (current and baseline ${baseline.build.describe})` : ''}`);
      figures = mergeFigures(figures, await RUNNERS[suite]({ settings, builds, command, log }), suite);
    }
    await reportGuard(figures, {
      command, startedAt, runsNote: runsNote(args, settings),
      builds: [`current: ${builds[0]!.describe}`, baseline ? `baseline: ${baseline.build.describe}` : 'baseline: none (--baseline none)'],
      notes: [...(baseline?.notes ?? []), `Node.js ${process.version}; load average at start ${loadAtStart}, at end ${loadAverage()} (${cpus().length} cores, shared with other work: compare)`],
    }, args.markdown);
  } finally {
    baseline?.remove();
  }
}

await main(process.argv.slice(2));
