/**
 * The side-by-side runs: drover and Ansible on the same fleet hosts and the same desired state,
 * alternating which tool goes first run by run, with the floor measured in every run. Every tool
 * run is checked (exit code, what it reports changed, what landed on the hosts) before its sample
 * counts, so a broken setup fails loudly instead of looking fast. With a baseline build, drover's
 * round runs once per build in every run (the builds taking turns), against the same hosts; without
 * Ansible (`ansible: false`) only drover's rounds and the floor run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fleet, FleetHost } from '../fleet/index.js';
import type { Build } from './builds.js';
import { assertRecap, closeControlMasters, runPlaybook, writeAnsibleProject, type AnsibleProject } from './ansible.js';
import { assertDrover, runDrover } from './drover-cli.js';
import { BENCH_DIRS, BENCH_FILES, writeBenchRepository } from './fleet-repo.js';
import { assertConverged, assertFresh, driftHosts, resetHosts, sshTrueAll } from './hosts.js';
import { measure, type Sample } from './measure.js';
import { turnOrder } from './verdict.js';
import { openWarmChecker } from './warm.js';

/** The measured scenarios, in table order. */
export const SCENARIOS = ['first', 'noop', 'dry', 'change', 'guarded', 'warm'] as const;
/** One of SCENARIOS. */
export type Scenario = (typeof SCENARIOS)[number];

/** Every sample of a comparison. */
export interface Comparison {
  hosts: number;
  runs: number;
  floor: Sample[];
  /** The current build's samples. */
  drover: Record<Scenario, Sample[]>;
  /** The baseline build's, when one ran. */
  baseline?: Record<Scenario, Sample[]>;
  /** Empty when Ansible did not run. */
  ansible: Record<Scenario, Sample[]>;
}

const emptySamples = (): Record<Scenario, Sample[]> => ({ first: [], noop: [], dry: [], change: [], guarded: [], warm: [] });

interface Context {
  fleet: Fleet;
  hosts: FleetHost[];
  repo: string;
  /** The same repository with the lockout guard on (`confirmWithin: 60s`). */
  guardedRepo: string;
  project: AnsibleProject;
  out: Comparison;
  log: (line: string) => void;
}

/** What compareTools runs: `builds[0]` is the current build, `builds[1]` (optional) the baseline. */
export interface CompareOptions {
  fleet: Fleet;
  count: number;
  runs: number;
  builds: readonly Build[];
  ansible: boolean;
  log: (line: string) => void;
}

/**
 * Runs `runs` rounds on the first `count` fleet hosts (floor, drover per build, Ansible; who goes
 * first alternates run by run) and returns every sample.
 */
export async function compareTools(options: CompareOptions): Promise<Comparison> {
  const hosts = options.fleet.hosts.slice(0, options.count);
  const work = await mkdtemp(join(tmpdir(), 'drover-bench-compare-'));
  const out: Comparison = { hosts: hosts.length, runs: options.runs, floor: [], drover: emptySamples(), ansible: emptySamples() };
  if (options.builds.length > 1) out.baseline = emptySamples();
  const samplesOf = (b: Build): Record<Scenario, Sample[]> => (b === options.builds[0] ? out.drover : out.baseline!);
  try {
    const repo = join(work, 'repo');
    await writeBenchRepository(repo, { hosts });
    const guardedRepo = join(work, 'repo-guarded');
    await writeBenchRepository(guardedRepo, { hosts }, { confirmWithin: '60s' });
    const project = await writeAnsibleProject(join(work, 'ansible'), options.fleet, hosts);
    const ctx: Context = { fleet: options.fleet, hosts, repo, guardedRepo, project, out, log: options.log };
    for (let run = 0; run < options.runs; run++) {
      out.floor.push(await measure(() => sshTrueAll(options.fleet, hosts)));
      const drover = turnOrder(options.builds, run).map((b) => () => droverRound(ctx, run, b, samplesOf(b)));
      const ansible = options.ansible ? [() => ansibleRound(ctx, run)] : [];
      for (const round of run % 2 === 0 ? [...drover, ...ansible] : [...ansible, ...drover]) await round();
    }
    await closeControlMasters(project);
    return out;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function droverRound(ctx: Context, run: number, build: Build, samples: Record<Scenario, Sample[]>): Promise<void> {
  const { fleet, hosts, repo } = ctx;
  const bin = build.bin;
  await resetHosts(fleet, hosts);
  assertFresh(hosts);
  const first = await runDrover({ repo, fleet, mode: 'apply', bin });
  assertDrover(first, { hosts, code: 0, status: 'converged', changed: BENCH_DIRS + BENCH_FILES + 1, what: 'first apply' });
  assertConverged(hosts, 'drover first apply');
  samples.first.push(first);
  const noop = await runDrover({ repo, fleet, mode: 'apply', bin });
  assertDrover(noop, { hosts, code: 0, status: 'in sync', what: 'no-op apply' });
  samples.noop.push(noop);
  const dry = await runDrover({ repo, fleet, mode: 'dry-run', bin });
  assertDrover(dry, { hosts, code: 0, status: 'in sync', what: 'dry run' });
  samples.dry.push(dry);
  await driftHosts(fleet, hosts);
  const change = await runDrover({ repo, fleet, mode: 'apply', bin });
  assertDrover(change, { hosts, code: 0, status: 'converged', changed: 1, what: 'apply after a change' });
  assertConverged(hosts, 'drover apply after a change');
  samples.change.push(change);
  // The same change with the lockout guard on: the watchdog armed, the run confirmed over a new connection.
  await driftHosts(fleet, hosts);
  const guarded = await runDrover({ repo: ctx.guardedRepo, fleet, mode: 'apply', bin });
  assertDrover(guarded, { hosts, code: 0, status: 'converged', changed: 1, what: 'guarded apply after a change' });
  assertConverged(hosts, 'drover guarded apply after a change');
  samples.guarded.push(guarded);
  const warm = await openWarmChecker({ repo, fleet, build });
  try {
    for (let i = 0; i < 3; i++) samples.warm.push(await warm.check());
  } finally {
    await warm.close();
  }
  ctx.log(`run ${run + 1}: drover (${build.name}) first ${s(first)} no-op ${s(noop)} dry ${s(dry)} change ${s(change)} guarded ${s(guarded)} warm ${s(samples.warm.at(-1)!)}`);
}

async function ansibleRound(ctx: Context, run: number): Promise<void> {
  const { fleet, hosts, project } = ctx;
  const samples = ctx.out.ansible;
  await closeControlMasters(project);
  await resetHosts(fleet, hosts);
  assertFresh(hosts);
  const first = await runPlaybook(project, []);
  assertRecap(project, first, { changed: 3, what: 'first apply' });
  assertConverged(hosts, 'ansible first apply');
  samples.first.push(first);
  await closeControlMasters(project);
  const noop = await runPlaybook(project, []);
  assertRecap(project, noop, { changed: 0, what: 'no-op apply' });
  samples.noop.push(noop);
  await closeControlMasters(project);
  const dry = await runPlaybook(project, ['--check', '--diff']);
  assertRecap(project, dry, { changed: 0, what: '--check --diff' });
  samples.dry.push(dry);
  // The masters of that run are still up (ControlPersist): Ansible's warm check.
  const warm = await runPlaybook(project, ['--check', '--diff']);
  assertRecap(project, warm, { changed: 0, what: 'warm --check --diff' });
  samples.warm.push(warm);
  await closeControlMasters(project);
  await driftHosts(fleet, hosts);
  const change = await runPlaybook(project, []);
  assertRecap(project, change, { changed: 1, what: 'apply after a change' });
  assertConverged(hosts, 'ansible apply after a change');
  samples.change.push(change);
  ctx.log(`run ${run + 1}: ansible first ${s(first)} no-op ${s(noop)} check ${s(dry)} change ${s(change)} warm ${s(warm)}`);
}

function s(sample: Sample): string {
  return `${(sample.wallMs / 1000).toFixed(2)}s`;
}
