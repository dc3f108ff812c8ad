/**
 * `npm run bench -- http` (also the end of `controller`; issue 13's Benchmark): a real `drover
 * controller` process per build (each build's own bin/drover.js, see controller-process.ts), a real
 * bare remote and the test fleet. The controllers do not poll (interval 1h), so only the one a
 * webhook is posted to fetches; they run side by side and take turns:
 * - webhook -> converged: a signed GitHub push of a commit changing one file on each host, timed from
 *   the POST until the last host applied it (the controller's own log times; goal < 1 s at the median);
 * - GET /api/v1/hosts latency at 200 requests/s (autocannon): idle, while 20-host reconciles run back
 *   to back (goal p99 < 50 ms), and during syncs of every host.
 * Nothing here asserts a time: the goals are reported as met or missed.
 */
import autocannon from 'autocannon';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../fleet/index.js';
import { createRemote, type GitRemote } from '../support/git-remote.js';
import { revisionOf, tempDir } from '../e2e/controller/support.js';
import { API_TOKEN, githubPush } from '../e2e/http/support.js';
import type { Build } from './builds.js';
import { startBuildController, type BuildController } from './controller-process.js';
import { benchRoleYaml, writeBenchRepository } from './fleet-repo.js';
import type { HttpBench } from './http-report.js';
import { ms } from './stats.js';
import { turnOrder } from './verdict.js';

const log = (line: string): void => console.error(`[bench] ${line}`);

/** One webhook -> converged: ms from the POST to the revision's acceptance (fetch + validation), and to the last host applied. */
interface Converged {
  accepted: number;
  converged: number;
}

/** Shared by every measurement: the hosts, the remote, and the commit counter. */
interface Stage {
  hosts: number;
  remote: GitRemote;
  version: number;
}

/** Commits the next version (one file changed on every host), posts the webhook to `ctl` and times it (controller log times). */
async function webhookToConverged(ctl: BuildController, stage: Stage): Promise<Converged> {
  const v = ++stage.version;
  const role = benchRoleYaml().replace('"file 0 of {{ host.name }}\\n"', `"file 0 of {{ host.name }} v${v}\\n"`);
  const revision = revisionOf(await stage.remote.commit({ 'roles/bench.yaml': role }, `v${v}`));
  const from = ctl.events.length;
  const posted = Date.now();
  const answer = await githubPush(ctl.url, 'refs/heads/main');
  if (answer.status !== 202) throw new Error(`webhook answered ${answer.status}: ${answer.text}`);
  const done = await ctl.waitFor(() => {
    const finished = ctl.events.slice(from).filter((e) => e.phase === 'done' && e.revision === revision);
    return finished.length >= stage.hosts ? finished : undefined;
  }, `${revision} applied on every host`);
  const failed = done.filter((e) => e.result !== 'applied');
  if (failed.length) throw new Error(`not applied: ${failed.map((e) => `${String(e.host)} ${String(e.result)}`).join(', ')}`);
  const accepted = ctl.events.slice(from).find((e) => e.msg === 'revision accepted' && e.revision === revision);
  return { accepted: (accepted?.time as number) - posted, converged: Math.max(...done.map((e) => e.time as number)) - posted };
}

/** POST /api/v1/sync of every host; resolves when the run is done. */
async function syncEveryHost(ctl: BuildController): Promise<void> {
  const headers = { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' };
  const { runId } = (await (await fetch(`${ctl.url}/api/v1/sync`, { method: 'POST', headers, body: '{}' })).json()) as { runId: string };
  await ctl.waitFor(async () => {
    const run = (await (await fetch(`${ctl.url}/api/v1/runs/${runId}`, { headers })).json()) as { state: string };
    return run.state === 'done' ? true : undefined;
  }, `sync run ${runId} done`);
}

/** CPU time (user + system) the process has used so far, in ms (from /proc/PID/stat, clock ticks of 10 ms). */
async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** GET /api/v1/hosts at 200 requests/s for 10 s while `work` runs back to back (none: the controller idle); the result, how often `work` ran, and the controller's CPU time meanwhile. */
async function latencyWindow(ctl: BuildController, work?: () => Promise<unknown>): Promise<{ result: autocannon.Result; count: number; cpuMs: number }> {
  let loading = true;
  let count = 0;
  const cpuBefore = await cpuMsOf(ctl.pid);
  const load = autocannon({ url: `${ctl.url}/api/v1/hosts`, overallRate: 200, connections: 10, duration: 10, headers: { authorization: `Bearer ${API_TOKEN}` } });
  const busy = (async () => {
    while (work && loading) {
      await work();
      count++;
    }
  })();
  const result = await load;
  const cpuMs = (await cpuMsOf(ctl.pid)) - cpuBefore;
  loading = false;
  await busy;
  return { result, count, cpuMs };
}

/**
 * The three latency windows (idle, during reconciles, during syncs), each taken by every controller
 * twice, once in each order: both controllers follow the same hosts, and the one measured second in a
 * window found the hosts as the other left them (an A/A run put the second 2x worse), so one order
 * alone judged the order, not the builds. Percentiles of every window go into `samples`; the details
 * of the last ones into `latency`, `idle` and `syncs`.
 */
async function latencies(ctls: readonly BuildController[], stage: Stage, out: HttpBench[]): Promise<void> {
  for (let round = 0; round < 2; round++) {
    const order = (w: number): number[] => turnOrder(ctls.map((_, k) => k), w + round);
    for (const k of order(0)) {
      log(`HTTP (${ctls[k]!.build.name}): GET /api/v1/hosts at 200 requests/s for 10 s, the controller idle`);
      const { result: idle, cpuMs } = await latencyWindow(ctls[k]!);
      out[k]!.idle = { p50: idle.latency.p50, p99: idle.latency.p99 };
      out[k]!.samples.idleP99.push(idle.latency.p99);
      out[k]!.samples.cpuPer1000.push((cpuMs * 1000) / Math.max(1, idle.requests.total));
    }
    for (const k of order(1)) {
      log(`HTTP (${ctls[k]!.build.name}): the same while reconciles run back to back`);
      const { result: r, count } = await latencyWindow(ctls[k]!, () => webhookToConverged(ctls[k]!, stage));
      out[k]!.latency = { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, requests: r.requests.total, non2xx: r.non2xx, errors: r.errors, rate: r.requests.average, reconciles: count };
      out[k]!.samples.reconcilesP99.push(r.latency.p99);
    }
    for (const k of order(2)) {
      log(`HTTP (${ctls[k]!.build.name}): the same while syncs of every host (no new revision) run back to back`);
      const { result: r, count } = await latencyWindow(ctls[k]!, () => syncEveryHost(ctls[k]!));
      out[k]!.syncs = { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, count };
      out[k]!.samples.syncsP99.push(r.latency.p99);
    }
  }
}

async function startAll(builds: readonly Build[], fleet: Fleet, stage: Stage, dir: string, first: string): Promise<BuildController[]> {
  const ctls: BuildController[] = [];
  for (const build of builds) {
    const home = join(dir, build.name);
    await mkdir(home, { recursive: true });
    const ctl = await startBuildController(build, {
      dir: home, remote: stage.remote, fleet, stateDir: join(home, 'state'),
      extra: { source: { url: stage.remote.bare, branch: 'main', interval: '1h' }, concurrency: stage.hosts, runTimeout: '120s' },
    });
    ctls.push(ctl);
    await ctl.waitFor(() => (ctl.events.filter((e) => e.phase === 'done' && e.revision === first).length >= stage.hosts ? true : undefined), 'first revision everywhere');
  }
  return ctls;
}

const emptyBench = (hosts: number): HttpBench => ({
  hosts, webhookToConverged: [], webhookToAccepted: [],
  latency: { p50: 0, p99: 0, max: 0, requests: 0, non2xx: 0, errors: 0, rate: 0, reconciles: 0 }, idle: { p50: 0, p99: 0 }, samples: { idleP99: [], reconcilesP99: [], syncsP99: [], cpuPer1000: [] }, syncs: { p50: 0, p99: 0, max: 0, count: 0 },
});

/** Runs both measurements on a fleet of `hosts` for every build (taking turns); the results in the builds' order. */
export async function benchHttp(options: { hosts: number; runs: number; builds: readonly Build[] }): Promise<HttpBench[]> {
  log(`HTTP: starting a fleet of ${options.hosts} hosts`);
  const fleet = await startFleet({ count: options.hosts, name: 'bench-http' });
  const stage: Stage = { hosts: options.hosts, remote: await createRemote(), version: 1 };
  const dir = await tempDir();
  let ctls: BuildController[] = [];
  try {
    await writeBenchRepository(stage.remote.work, fleet);
    const first = revisionOf(await stage.remote.commit({}, 'bench'));
    ctls = await startAll(options.builds, fleet, stage, dir, first);
    const out = options.builds.map(() => emptyBench(options.hosts));
    for (let i = 0; i < options.runs; i++) {
      for (const k of turnOrder(ctls.map((_, n) => n), i)) {
        const run = await webhookToConverged(ctls[k]!, stage);
        out[k]!.webhookToConverged.push(run.converged);
        out[k]!.webhookToAccepted.push(run.accepted);
        log(`run ${i + 1} (${ctls[k]!.build.name}): webhook -> ${options.hosts} hosts converged ${ms(run.converged)} (revision accepted after ${ms(run.accepted)})`);
      }
    }
    await latencies(ctls, stage, out);
    return out;
  } finally {
    for (const ctl of ctls) await ctl.stop();
    await fleet.stop();
    await stage.remote.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}
