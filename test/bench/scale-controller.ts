/**
 * `npm run bench -- scale-controller`: one in-process controller with up to 1,000 real fleet hosts
 * (fleets of 250, one slot each, as many as this machine starts; the count used is reported):
 * - warm drift sweep of every host (a dry-run sync: observe + plan on kept connections), goal < 10 s;
 * - RSS of the process after the sweeps (and its peak, VmHWM), goal < 150 MB;
 * - idle CPU between sweeps (30 s, the source still polled every minute), goal < 2% of one core;
 * each next to the floor measured in the same run: N parallel fresh `ssh HOST true`.
 * The process also runs this script and the fleets' bookkeeping (the hosts' sshd are other processes),
 * so its RSS and CPU are an upper bound for the controller. Writes its section of BENCH_OUT.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { renderTable } from '../../controller/cli/table.js';
import { loadControllerConfig } from '../../controller/config/index.js';
import { startController, type RunningController } from '../../controller/daemon/controller.js';
import { createLogger } from '../../controller/daemon/log.js';
import { resolveSshSettings } from '../../controller/reconcile/ssh-settings.js';
import { startFleet, type Fleet, type FleetHost } from '../fleet/index.js';
import { createRemote, type GitRemote } from '../support/git-remote.js';
import { sshTrueAll } from './hosts.js';
import { measureControllerProcess } from './scale-process.js';
import { median, ms, timeMs } from './stats.js';
import type { Figure } from './verdict.js';

const NOTE = 'current build only: 1,000 hosts take about half an hour a build; measure a baseline by checking it out and running this suite there';

const MARK_START = '<!-- bench:scale-controller -->';
const MARK_END = '<!-- /bench:scale-controller -->';
const FLEET_SIZE = 250;
const log = (line: string): void => console.error(`[bench] ${line}`);
const sleep = (msec: number): Promise<void> => new Promise((r) => setTimeout(r, msec));
/** The drift interval of the separate process: its first sweep finds every host due (see below). */
const PROCESS_DRIFT_MS = 120_000;

/** Starts fleets of 250 until `target` hosts run or no slot is left. */
async function startFleets(target: number): Promise<Fleet[]> {
  const fleets: Fleet[] = [];
  for (let i = 0; fleets.reduce((n, f) => n + f.hosts.length, 0) < target; i++) {
    const count = Math.min(FLEET_SIZE, target - fleets.reduce((n, f) => n + f.hosts.length, 0));
    try {
      fleets.push(await startFleet({ count, name: `scale${i}`, readyTimeoutSeconds: 120 }));
      log(`fleet ${i}: ${count} hosts up`);
    } catch (err) {
      log(`fleet ${i} did not start (${(err as Error).message.split('\n')[0]}); going on with what runs`);
      break;
    }
  }
  return fleets;
}

/** One host's manifest: a directory and a small file naming the host. */
function hostYaml(host: FleetHost): string {
  return stringify({ address: host.address, resources: [{ kind: 'directory', path: '/srv/scale' }, { kind: 'file', path: '/srv/scale/host.txt', content: `${host.address}\n` }] });
}

/** Polls `check` every 100 ms until it returns true. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await sleep(100);
}

/** Peak and current resident memory of this process, kB (from /proc). */
async function memoryKb(): Promise<{ rss: number; peak: number }> {
  const status = await readFile('/proc/self/status', 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

async function sweep(controller: RunningController): Promise<number> {
  return timeMs(async () => {
    const { runId } = controller.sync({ dryRun: true });
    await until(() => controller.run(runId)?.state === 'done');
  });
}

/** Runs the benchmark; prints the table, writes its section of `out` and returns the figures (current build only, see the note). */
export async function benchScaleController(options: { target: number; runs: number; out: string }): Promise<Figure[]> {
  const fleets = await startFleets(options.target);
  const hosts = fleets.flatMap((f) => f.hosts.map((h) => ({ fleet: f, host: h, name: `${f.name}-${h.name}` })));
  const dir = await mkdtemp(join(tmpdir(), 'drover-bench-scale-'));
  let remote: GitRemote | undefined;
  let controller: RunningController | undefined;
  try {
    log(`${hosts.length} hosts; writing the manifest repository`);
    remote = await createRemote();
    await remote.commit(Object.fromEntries(hosts.map((h) => [`hosts/${h.name}.yaml`, hostYaml(h.host)])), 'scale');
    const knownHosts = join(dir, 'known_hosts');
    await writeFile(knownHosts, (await Promise.all(fleets.map((f) => readFile(f.knownHostsFile, 'utf8')))).join(''));
    const identities = fleets.map((f) => f.clientKeyFile);
    await writeFile(join(dir, 'drover.config.yaml'), stringify({
      source: { url: remote.bare, branch: 'main', interval: '1m' }, stateDir: join(dir, 'state'), listen: '127.0.0.1:0',
      concurrency: 50, driftInterval: '1h', runTimeout: '5m', sshKnownHostsFile: knownHosts, sshIdentityFiles: identities, logLevel: 'silent',
    }));
    const settings = await loadControllerConfig({ cwd: dir, env: {}, isRoot: false });
    const ssh = resolveSshSettings({ env: {}, knownHosts, identities, connectTimeoutSeconds: 30 });
    const convergeMs = await timeMs(async () => {
      controller = await startController({ settings, ssh, log: createLogger({ level: 'silent' }) });
      await until(() => controller!.status().hosts.byStatus.Synced === hosts.length);
    });
    log(`all ${hosts.length} hosts converged in ${ms(convergeMs)}`);
    const sweeps: number[] = [];
    const floors: number[] = [];
    let lastSweepEnd = 0;
    for (let run = 0; run < options.runs; run++) {
      sweeps.push(await sweep(controller!));
      lastSweepEnd = performance.now();
      floors.push(await timeMs(() => Promise.all(fleets.map((f) => sshTrueAll(f, f.hosts)))));
      log(`run ${run + 1}: warm sweep ${ms(sweeps.at(-1)!)}, floor ${ms(floors.at(-1)!)}`);
    }
    const before = process.cpuUsage();
    const idleStart = performance.now();
    await sleep(30_000);
    const cpu = process.cpuUsage(before);
    const idlePercent = (100 * (cpu.user + cpu.system) / 1000) / (performance.now() - idleStart);
    const memory = await memoryKb();
    await controller!.stop();
    controller = undefined;
    // Every host's last run is PROCESS_DRIFT_MS old before the process starts, so all are due at once.
    await sleep(Math.max(0, PROCESS_DRIFT_MS - (performance.now() - lastSweepEnd)));
    log('a drover controller process: start, cold drift sweep of every host, idle');
    const proc = await measureControllerProcess({
      dir, stateDir: settings.stateDir, hosts: hosts.length, idleMs: 30_000,
      config: (await readFile(join(dir, 'drover.config.yaml'), 'utf8')).replace('driftInterval: 1h', `driftInterval: ${PROCESS_DRIFT_MS / 1000}s`),
    });
    const rows = [
      [`warm drift sweep of ${hosts.length} hosts (dry-run sync, kept connections)`, ms(median(sweeps)), ms(median(floors)), 'under 10 s', median(sweeps) < 10_000 ? 'met' : '**missed**'],
      ['RSS after the sweeps (peak)', `${(memory.rss / 1024).toFixed(0)} MB (${(memory.peak / 1024).toFixed(0)} MB)`, '-', 'under 150 MB', memory.rss < 150 * 1024 ? 'met' : '**missed**'],
      ['idle CPU between sweeps (30 s, % of one core)', `${idlePercent.toFixed(2)}%`, '-', 'under 2%', idlePercent < 2 ? 'met' : '**missed**'],
      ['`drover controller` process: start + cold drift sweep (once)', ms(proc.sweepMs), ms(median(floors)), '-', ''],
      ['  its RSS after the sweep (peak)', `${(proc.rssKb / 1024).toFixed(0)} MB (${(proc.peakKb / 1024).toFixed(0)} MB)`, '-', 'under 150 MB', proc.rssKb < 150 * 1024 ? 'met' : '**missed**'],
      ['  its idle CPU after the sweep (30 s)', `${proc.idleCpuPercent.toFixed(2)}%`, '-', 'under 2%', proc.idleCpuPercent < 2 ? 'met' : '**missed**'],
    ];
    const table = renderTable(['MEASURE', `MEDIAN OF ${options.runs}`, `FLOOR (${hosts.length} x ssh true)`, 'GOAL', ''], rows);
    console.log(`\n${table}\n`);
    await writeSection(options.out, [
      `## One controller, ${hosts.length} real hosts (\`npm run bench -- scale-controller\`, ${new Date().toISOString()}, BENCH_RUNS=${options.runs})`,
      '', '```', table, '```', '',
      `- ${hosts.length} fleet hosts in ${fleets.length} fleets (${FLEET_SIZE} a slot) of the test fleet; target ${options.target}. First convergence of all of them: ${ms(convergeMs)} (concurrency 50).`,
      '- sweep: `sync({dryRun: true})` of every host on the in-process controller, from the call to the last host done (observe + plan, one state write per host).',
      '- floor: every host answers a fresh `ssh HOST true` (OpenSSH client, all at once), right after each sweep.',
      '- the first three rows: RSS and CPU of the whole benchmark process (controller, this script, the fleets\' bookkeeping, tsx compiling the TypeScript sources in memory), an upper bound.',
      `- the last three: a separate \`drover controller\` process (bin/drover.js, compiled dist) on the same hosts and state, started once every host's last run was ${PROCESS_DRIFT_MS / 1000} s old (its drift interval), so it checks all of them at once on fresh connections; RSS and CPU from /proc.`,
      `- load average when done: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores, shared with other work).`,
    ].join('\n'));
    const n = hosts.length;
    return [
      { name: `scale-controller: warm drift sweep of ${n} hosts`, unit: 'ms', current: sweeps, goal: { max: 10_000, text: 'under 10 s' }, note: NOTE },
      { name: `scale-controller: ${n} x ssh HOST true (floor)`, unit: 'ms', current: floors, note: NOTE },
      { name: 'scale-controller: RSS after the sweeps', unit: 'kB', current: [memory.rss], goal: { max: 150 * 1024, text: 'under 150 MB' }, note: NOTE },
      { name: 'scale-controller: idle CPU between sweeps (% of a core)', unit: '%', current: [idlePercent], goal: { max: 2, text: 'under 2%' }, note: NOTE },
      { name: `scale-controller: process start + cold sweep of ${n} hosts`, unit: 'ms', current: [proc.sweepMs], note: NOTE },
      { name: 'scale-controller: process RSS after the sweep', unit: 'kB', current: [proc.rssKb], goal: { max: 150 * 1024, text: 'under 150 MB' }, note: NOTE },
    ];
  } finally {
    await controller?.stop();
    await remote?.cleanup();
    for (const f of fleets) await f.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** This benchmark's section of a benchmarks document (markers included), or ''. */
export function scaleControllerSection(text: string): string {
  const start = text.indexOf(MARK_START);
  const end = text.indexOf(MARK_END);
  return start >= 0 && end > start ? text.slice(start, end + MARK_END.length) : '';
}

/** Replaces (or appends) this benchmark's section of `out`. */
async function writeSection(out: string, body: string): Promise<void> {
  const text = await readFile(out, 'utf8').catch(() => '');
  const section = `${MARK_START}\n${body}\n${MARK_END}`;
  const start = text.indexOf(MARK_START);
  const end = text.indexOf(MARK_END);
  const next = start >= 0 && end > start ? text.slice(0, start) + section + text.slice(end + MARK_END.length) : `${text.trimEnd()}\n\n${section}\n`;
  await writeFile(out, next);
  log(`wrote ${out}`);
}
