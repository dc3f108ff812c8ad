/**
 * `npm run bench -- page`: the status page at 1,000 hosts (BENCH_PAGE_HOSTS). The controller's real HTTP
 * app (buildHttpApp) over the real API (createApi on a real state store in a temp dir holding 1,000 host
 * records) and a real Git source (a bare remote with a few commits, fetched into its mirror, so commit
 * subjects and "behind" come from git), asked with fastify's inject: the fleet page's server time
 * (from the request to the last byte, gzip included, warm; commits are cached after the first view) and
 * its weight, sent gzipped as every browser asks and uncompressed, viewed by an admin (every button
 * shown: the heaviest page). Goals: under 200 ms and 300 kB. Only the
 * current build is measured (the baseline has no console).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DesiredState } from '../../manifests/types.js';
import { createApi } from '../../controller/daemon/api.js';
import { createCommitCatalog } from '../../controller/daemon/commits.js';
import type { Connections } from '../../controller/daemon/connections.js';
import type { DaemonContext } from '../../controller/daemon/context.js';
import { buildHttpApp } from '../../controller/daemon/http/server.js';
import { createLogger } from '../../controller/daemon/log.js';
import { fleetRevision } from '../../controller/daemon/revisions/fleet.js';
import { HOST_STATUSES, newHostRecord, type HostRecord } from '../../controller/daemon/state/records.js';
import { openStateStore } from '../../controller/daemon/state/state.js';
import { HostBreakers } from '../../controller/daemon/work/breaker.js';
import { WorkQueue } from '../../controller/daemon/work/queue.js';
import { SyncRuns } from '../../controller/daemon/work/runs.js';
import { PendingTriggers } from '../../controller/daemon/work/triggers.js';
import { createGitSource, revisionName } from '../../controller/source/index.js';
import { createRemote } from '../support/git-remote.js';
import { ManualClock } from '../support/manual-clock.js';
import { median } from './stats.js';
import type { Figure } from './verdict.js';

/** One view of the page: server time, bytes sent (gzip, as browsers ask) and bytes of the HTML. */
interface View {
  ms: number;
  bytes: number;
  htmlBytes: number;
}

/** Times `views` warm views of GET / with `hosts` hosts; the first (cold: git asked for the commits) is reported apart. */
export async function measureFleetPage(options: { hosts: number; views: number }): Promise<{ cold: View; warm: View[]; rows: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'drover-bench-page-'));
  const remote = await createRemote();
  try {
    const commits: string[] = [];
    for (const subject of ['Base fleet', 'Raise nginx workers to 8', 'Rotate the TLS certificate']) commits.push(await remote.commit({ 'README.md': subject }, subject));
    const source = createGitSource({ spec: { url: remote.bare, ref: { branch: 'main' }, timeoutMs: 30_000, allowNonFastForward: false, verifySignatures: false }, workDir: join(dir, 'source') });
    const newest = await source.fetchRevision();
    const names = commits.map((c) => revisionName({ branch: 'main' }, c));
    const { store } = await openStateStore(join(dir, 'state'));
    await store.saveController({ consecutiveFetchFailures: 0, newestRevision: newest.name, lastGoodRevision: newest.name, lastFetchAt: 0, lastFetchSuccessAt: 0 });
    const desired: DesiredState[] = [];
    for (let i = 0; i < options.hosts; i++) {
      const name = `host-${String(i).padStart(4, '0')}.dc1.example.com`;
      desired.push({ host: { name, groups: [i % 2 ? 'web' : 'db', `rack-${i % 20}`] } } as unknown as DesiredState);
      await store.saveHost(hostRecord(name, i, names));
    }
    await store.flush();
    const fleet = fleetRevision({ revision: newest.name, commit: newest.commit, hosts: desired });
    const api = createApi(benchContext(store, fleet), { triggerFetch: async () => {}, commits: createCommitCatalog(source) });
    const app = await buildHttpApp({ api, log: createLogger({ level: 'silent' }), startedAt: 0, settings: { listen: '127.0.0.1:0', source: { url: remote.bare, ref: { branch: 'main' } } } as Parameters<typeof buildHttpApp>[0]['settings'] });
    try {
      const view = async (): Promise<View & { body: string }> => {
        const t = performance.now();
        const res = await app.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'gzip, deflate, br' } });
        const ms = performance.now() - t;
        if (res.statusCode !== 200 || res.headers['content-encoding'] !== 'gzip') throw new Error(`GET / answered ${res.statusCode} (${String(res.headers['content-encoding'])})`);
        const body = gunzipSync(res.rawPayload).toString('utf8');
        return { ms, bytes: res.rawPayload.length, htmlBytes: Buffer.byteLength(body), body };
      };
      const cold = await view();
      const warm: View[] = [];
      for (let i = 0; i < options.views; i++) warm.push(await view());
      return { cold, warm, rows: cold.body.match(/<tr data-host=/g)?.length ?? 0 };
    } finally {
      await app.close();
    }
  } finally {
    await remote.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}

/** A host record as a busy fleet has them: most Synced on the newest commit, some behind, failing or drifting. */
function hostRecord(name: string, i: number, revisions: string[]): HostRecord {
  const status = HOST_STATUSES[i % 17 === 0 ? i % HOST_STATUSES.length : HOST_STATUSES.length - 1]!;
  const revision = revisions[i % 10 === 0 ? 1 : 2]!;
  const run = { id: `r${i}`, trigger: 'revision' as const, revision, startedAt: 1_000, endedAt: 3_000, dryRun: false, result: 'applied' as const, changedSteps: ['regen_nginx_conf'] };
  return {
    ...newHostRecord(name), status, reason: status === 'Synced' ? 'in sync' : `${status}: the last run says why (E_TEST_FAILED in test_nginx_config)`,
    lastAppliedRevision: revision, lastAttemptedRevision: revision, lastAttemptAt: 3_000, lastSuccessAt: 3_000, suspended: status === 'Suspended',
    lastPlan: { revision, inSync: status === 'Synced', counts: { update: status === 'Synced' ? 0 : 2 }, steps: [] }, history: [run],
  };
}

function benchContext(store: DaemonContext['store'], fleet: ReturnType<typeof fleetRevision>): DaemonContext {
  const clock = new ManualClock();
  return {
    queue: new WorkQueue({ clock, random: () => 0.5, backoff: { baseMs: 1000, maxMs: 60_000 } }),
    pending: new PendingTriggers(), store, clock, log: createLogger({ level: 'silent' }), driftFacts: new Map(),
    connections: {} as Connections, breakers: new HostBreakers(clock, { threshold: 5, cooldownMs: 60_000 }),
    syncRuns: new SyncRuns(), events: {}, fleet: () => fleet, stopRuns: new AbortController().signal,
    settings: { runTimeoutMs: 60_000, selfHeal: false, driftIntervalMs: 60_000, suspendedByConfig: new Set() },
    newRunId: () => 'run-1',
  };
}

/** The suite: figures of the fleet page at `hosts` hosts (current build only). */
export async function benchPage(options: { hosts: number; runs: number; log: (line: string) => void }): Promise<Figure[]> {
  const result = await measureFleetPage({ hosts: options.hosts, views: Math.max(20, options.runs) });
  const warmMs = result.warm.map((v) => v.ms);
  const kb = result.warm.map((v) => v.bytes / 1024);
  const htmlKb = result.warm.map((v) => v.htmlBytes / 1024);
  options.log(`fleet page, ${options.hosts} hosts (${result.rows} rows): first view ${result.cold.ms.toFixed(1)} ms, warm median ${median(warmMs).toFixed(1)} ms, ${median(kb).toFixed(1)} kB sent (gzip), ${median(htmlKb).toFixed(1)} kB of HTML`);
  const note = 'the console is new: no baseline';
  return [
    { name: `fleet page ${options.hosts} hosts: server time (warm)`, unit: 'ms', current: warmMs, note, goal: { max: 200, text: '< 200 ms' } },
    { name: `fleet page ${options.hosts} hosts: server time (first view)`, unit: 'ms', current: [result.cold.ms], note },
    { name: `fleet page ${options.hosts} hosts: weight sent (gzip)`, unit: 'kB', current: kb, note, goal: { max: 300, text: '< 300 kB' } },
    { name: `fleet page ${options.hosts} hosts: HTML (uncompressed)`, unit: 'kB', current: htmlKb, note },
  ];
}
