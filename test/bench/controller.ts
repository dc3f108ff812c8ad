/**
 * `npm run bench -- controller`: the running controller (issue 12's Benchmark), on the test fleet:
 * - commit to all hosts converged (one file changed on each), warm connections, from the moment the
 *   controller accepts the new revision until every host has applied it (goal < 1 s for 20 hosts);
 * - a warm drift check of every host by the running controller (a dry-run sync of all hosts; < 0.2 s);
 * - peak RSS of a `drover controller` process with 1,000 hosts in the inventory (< 150 MB).
 * Medians of BENCH_RUNS runs; the figures go into docs/benchmarks.md between the controller markers.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderTable } from '../../controller/cli/table.js';
import { loadControllerConfig } from '../../controller/config/index.js';
import { startController, type RunningController } from '../../controller/daemon/controller.js';
import { createLogger } from '../../controller/daemon/log.js';
import { resolveSshSettings } from '../../controller/reconcile/ssh-settings.js';
import { startFleet, type Fleet } from '../fleet/index.js';
import { createRemote, type GitRemote } from '../support/git-remote.js';
import { controllerConfig, until } from '../e2e/controller/support.js';
import type { Build } from './builds.js';
import { benchRoleYaml, writeBenchRepository } from './fleet-repo.js';
import { generateRepository } from './gen-repo.js';
import { mb, median, ms } from './stats.js';
import { turnOrder, type Figure } from './verdict.js';
import { controllerFigures, type RssFigures } from './controller-figures.js';
import { deployedEnv, deployedNodeOptions } from './deployed-env.js';
import { openWarmChecker } from './warm.js';

/** How long the RSS measurement lets the controller sit idle after loading the inventory. */
const SETTLE_MS = 5_000;
const MARK_START = '<!-- bench:controller -->';
const MARK_END = '<!-- /bench:controller -->';
const log = (line: string): void => console.error(`[bench] ${line}`);

interface Running {
  controller: RunningController;
  accepted: Map<string, number>;
  applied: Map<string, number[]>;
}

async function startInProcess(remote: GitRemote, fleet: Fleet, dir: string): Promise<Running> {
  const config = controllerConfig({ remote, fleet, stateDir: join(dir, 'state'), extra: { source: { url: remote.bare, branch: 'main', interval: '100ms' }, concurrency: fleet.hosts.length, logLevel: 'silent' } });
  await writeFile(join(dir, 'drover.config.yaml'), config);
  const settings = await loadControllerConfig({ cwd: dir, env: {}, isRoot: false });
  const ssh = resolveSshSettings({ env: {}, knownHosts: fleet.knownHostsFile, identities: [fleet.clientKeyFile], connectTimeoutSeconds: 10 });
  const accepted = new Map<string, number>();
  const applied = new Map<string, number[]>();
  const controller = await startController({
    settings, ssh, log: createLogger({ level: 'silent' }),
    events: {
      revisionAccepted: (revision) => accepted.set(revision, performance.now()),
      runFinished: (_host, run, result) => {
        if (result.outcome === 'applied' || result.outcome === 'in-sync') applied.set(run.revision, [...(applied.get(run.revision) ?? []), performance.now()]);
      },
    },
  });
  return { controller, accepted, applied };
}

/** Commits a change of one file on every host; ms from acceptance to the last host applied. */
async function commitToConverged(remote: GitRemote, running: Running, hosts: number, version: number): Promise<number> {
  const role = benchRoleYaml().replace('"file 0 of {{ host.name }}\\n"', `"file 0 of {{ host.name }} v${version}\\n"`);
  const commit = await remote.commit({ 'roles/bench.yaml': role }, `v${version}`);
  const revision = `main@sha1:${commit}`;
  const done = await until(() => ((running.applied.get(revision)?.length ?? 0) >= hosts ? running.applied.get(revision) : undefined), 5);
  const statuses = running.controller.hosts();
  if (!statuses.every((h) => h.lastAppliedRevision === revision)) throw new Error(`not every host applied ${revision}`);
  return Math.max(...done) - running.accepted.get(revision)!;
}

/** A dry-run sync of every host by the running controller; ms until every host was planned in sync. */
async function warmDriftCheck(running: Running): Promise<number> {
  const started = performance.now();
  const { runId } = running.controller.sync({ dryRun: true });
  const run = await until(() => (running.controller.run(runId)?.state === 'done' ? running.controller.run(runId) : undefined), 5);
  const elapsed = performance.now() - started;
  const off = Object.entries(run!.hosts).filter(([, h]) => h.result !== 'in-sync');
  if (off.length) throw new Error(`drift check: not in sync: ${off.map(([h]) => h).join(', ')}`);
  return elapsed;
}

/** Peak RSS (kB) of `build`'s `drover controller` process following a generated repository of `hosts` hosts (all suspended). */
async function controllerRss(build: Build, hosts: number, resourcesPerHost: number): Promise<RssFigures> {
  const remote = await createRemote();
  const dir = await mkdtemp(join(tmpdir(), 'drover-bench-rss-'));
  try {
    await generateRepository(remote.work, { hosts, resourcesPerHost });
    await remote.commit({}, 'generated');
    const names = (await readdir(join(remote.work, 'hosts'))).map((f) => f.replace(/\.yaml$/, ''));
    const stateDir = join(dir, 'state');
    // Suspended: the generated addresses are not real hosts; the inventory, state and queue are.
    await writeFile(join(dir, 'drover.config.yaml'), JSON.stringify({ source: { url: remote.bare, branch: 'main', interval: '1h' }, stateDir, listen: '127.0.0.1:0', suspendedHosts: names, logLevel: 'warn', driftInterval: '1h' }));
    // Started as the build deploys it (its systemd unit's NODE_OPTIONS, see deployed-env.ts).
    const child = spawn(process.execPath, [build.bin, 'controller', '--config', join(dir, 'drover.config.yaml')], { stdio: 'ignore', env: deployedEnv(build.root) });
    try {
      for (;;) {
        const count = (await readdir(join(stateDir, 'hosts')).catch(() => [])).length;
        if (count >= hosts) break;
        if (child.exitCode !== null) throw new Error(`drover controller exited with ${child.exitCode}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      // A daemon's memory is what it holds once settled: V8 gives back the loader's transient peak after a while idle.
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
      return { hwmKb: field('VmHWM'), rssKb: field('VmRSS') };
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('close', r));
    }
  } finally {
    await remote.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The controller RSS of every build (taking turns) for 1,000 hosts x `resourcesPerHost`: settled and peak, one sample each. */
async function rssOfBuilds(builds: readonly Build[], resourcesPerHost: number, turn: number): Promise<Map<Build, RssFigures>> {
  const out = new Map<Build, RssFigures>();
  for (const b of turnOrder(builds, turn)) {
    const r = await controllerRss(b, 1000, resourcesPerHost);
    out.set(b, r);
    log(`controller RSS (${b.name}), 1,000 hosts x ${resourcesPerHost}: ${mb(r.rssKb)} (peak ${mb(r.hwmKb)})`);
  }
  return out;
}

/** Runs the controller benchmark, writes its section of docs/benchmarks.md (the current build's figures) and returns the figures of every build. */
export async function benchController(options: { hosts: number; runs: number; out: string; builds: readonly Build[] }): Promise<Figure[]> {
  log(`starting a fleet of ${options.hosts} hosts`);
  const fleet = await startFleet({ count: options.hosts, name: 'bench-ctl' });
  const remote = await createRemote();
  const dir = await mkdtemp(join(tmpdir(), 'drover-bench-ctl-'));
  const converge: number[] = [];
  const drift: number[] = [];
  const library: number[] = [];
  try {
    await writeBenchRepository(remote.work, fleet);
    const first = await remote.commit({}, 'bench');
    const running = await startInProcess(remote, fleet, dir);
    try {
      log('first revision: converging every host');
      await until(() => ((running.applied.get(`main@sha1:${first}`)?.length ?? 0) >= options.hosts ? true : undefined), 5);
      await warmDriftCheck(running);
      for (let i = 0; i < options.runs; i++) {
        converge.push(await commitToConverged(remote, running, options.hosts, i + 2));
        drift.push(await warmDriftCheck(running));
        // The same check through the library alone (no queue, no state writes), at the same moment.
        const checker = await openWarmChecker({ repo: remote.work, fleet });
        library.push((await checker.check()).wallMs);
        await checker.close();
        log(`run ${i + 1}: commit -> converged ${ms(converge.at(-1)!)}, warm drift check ${ms(drift.at(-1)!)} (library alone ${ms(library.at(-1)!)})`);
      }
    } finally {
      await running.controller.stop();
    }
  } finally {
    await fleet.stop();
    await remote.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
  log('controller RSS with 1,000 hosts in the inventory (50, then 10 resources per host)');
  const heavyByBuild = await rssOfBuilds(options.builds, 50, 0);
  const lightByBuild = await rssOfBuilds(options.builds, 10, 1);
  const rss = heavyByBuild.get(options.builds[0]!)!;
  const light = lightByBuild.get(options.builds[0]!)!;
  const rows = [
    [`commit -> ${options.hosts} hosts converged (1 file each, warm)`, ms(median(converge)), 'under 1 s', median(converge) < 1000 ? 'met' : '**missed**'],
    [`warm drift check of ${options.hosts} hosts (running controller)`, ms(median(drift)), 'under 0.2 s', median(drift) < 200 ? 'met' : '**missed**'],
    [`  the same check through the library alone (no queue, no state)`, ms(median(library)), '', ''],
    ['controller RSS, 1,000 hosts x 50 resources (settled)', `${(rss.rssKb / 1024).toFixed(0)} MB`, 'under 150 MB', rss.rssKb < 150 * 1024 ? 'met' : '**missed**'],
    ['  peak while loading that inventory (VmHWM)', `${(rss.hwmKb / 1024).toFixed(0)} MB`, '', ''],
    ['controller RSS, 1,000 hosts x 10 resources (settled)', `${(light.rssKb / 1024).toFixed(0)} MB`, 'under 150 MB', light.rssKb < 150 * 1024 ? 'met' : '**missed**'],
  ];
  const table = renderTable(['MEASURE', `MEDIAN OF ${options.runs}`, 'GOAL', ''], rows);
  console.log(`\n${table}\n`);
  await writeSection(options.out, [
    MARK_START,
    `## The running controller (\`npm run bench -- controller\`, ${new Date().toISOString()}, BENCH_RUNS=${options.runs})`,
    '',
    '```', table, '```', '',
    '- commit -> converged: in-process controller (startController) following a bare remote, 100 ms poll; timed from the moment the',
    '  new revision passes the gate to the last host applying it (observe, plan, apply, verify), one file changed per host, warm SSH connections.',
    '- warm drift check: `sync({dryRun: true})` of every host through the running controller (observe + plan, kept connections).',
    '  Each run also times the same observe + plan through the library alone (planHosts over a TransportPool, no queue and no',
    '  state writes) right after: the difference is the controller\'s own cost (queue, one atomic state write per host, logs).',
    `- load average when done: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores, shared with other work: compare).`,
    `- RSS: a \`drover controller\` process (bin/drover.js, NODE_OPTIONS=${deployedNodeOptions(options.builds[0]!.root) ?? '(none)'} as its systemd unit sets, docs/deploy.md "Memory")`,
    '  with a generated repository of 1,000 hosts x 50 (then 10) resources, all',
    `  suspended (their addresses are not real), once every host has a state file and ${SETTLE_MS / 1000} s idle after: VmRSS`,
    '  (settled) and VmHWM (the peak, reached while the manifest loader validates the 50,000 resources) from /proc. For scale: the',
    '  same process following a one-host repository holds about 88 MB; V8 keeps the heap the loader grew to.',
    MARK_END,
  ].join('\n'));
  console.log(`wrote the controller section of ${options.out}`);
  return controllerFigures(options.hosts, { converge, drift, library }, heavyByBuild, lightByBuild, options.builds);
}

/** Replaces (or appends) the controller section of the benchmarks document. */
async function writeSection(file: string, section: string): Promise<void> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const start = text.indexOf(MARK_START);
  const end = text.indexOf(MARK_END);
  const next = start >= 0 && end > start ? `${text.slice(0, start)}${section}${text.slice(end + MARK_END.length)}` : `${text.trimEnd()}\n\n${section}\n`;
  await writeFile(file, next);
}

/** The controller section of an existing benchmarks document (kept when the main bench rewrites it), or ''. */
export function controllerSection(text: string): string {
  const start = text.indexOf(MARK_START);
  const end = text.indexOf(MARK_END);
  return start >= 0 && end > start ? text.slice(start, end + MARK_END.length) : '';
}
