/**
 * `npm run bench -- preview`: a real `drover controller` process per build (controller-process.ts), a
 * real bare remote and BENCH_HOSTS fleet hosts, every host converged first (warm connections). Each
 * run pushes a commit changing one file (the role every host has) to a branch, then times
 * POST /api/v1/previews {ref} until GET /api/v1/previews/ID says done (polled every 5 ms), and splits
 * it with the preview's own times: POST -> 202 (the ref fetched), queued -> started, started -> done
 * (validation, observe and plan of every host). The builds take turns; nothing here asserts a time.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../fleet/index.js';
import { createRemote, type GitRemote } from '../support/git-remote.js';
import { revisionOf, tempDir } from '../e2e/controller/support.js';
import { API_TOKEN } from '../e2e/http/support.js';
import type { PreviewView } from '../../controller/daemon/previews/types.js';
import type { Build } from './builds.js';
import { startBuildController, type BuildController } from './controller-process.js';
import { benchRoleYaml, writeBenchRepository } from './fleet-repo.js';
import { ms } from './stats.js';
import { turnOrder, type Figure } from './verdict.js';

const log = (line: string): void => console.error(`[bench] ${line}`);
const BRANCH = 'feature';
const headers = { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' };

/** One preview, in ms: the whole, and its parts. */
interface PreviewTimes {
  total: number;
  accepted: number;
  queued: number;
  hosts: number;
  /** The controller's log of fetch, validation and hosts, when it says. */
  split: string;
}

/** Commits version `v` of the role on BRANCH (one file changed, every host's desired state with it) and pushes it. */
async function pushChange(remote: GitRemote, v: number): Promise<void> {
  await remote.branch(BRANCH, { 'roles/bench.yaml': benchRoleYaml().replace('"file 0 of {{ host.name }}\\n"', `"file 0 of {{ host.name }} v${v}\\n"`) }, `preview v${v}`);
}

/** Previews BRANCH on `ctl` and checks every host would change exactly the one file. */
async function previewOnce(ctl: BuildController, hosts: number): Promise<PreviewTimes> {
  const start = performance.now();
  const posted = await fetch(`${ctl.url}/api/v1/previews`, { method: 'POST', headers, body: JSON.stringify({ ref: BRANCH }) });
  const accepted = performance.now() - start;
  if (posted.status !== 202) throw new Error(`POST /api/v1/previews answered ${posted.status}: ${await posted.text()}`);
  const { previewId } = (await posted.json()) as { previewId: string };
  const preview = await ctl.waitFor(async () => {
    const view = (await (await fetch(`${ctl.url}/api/v1/previews/${previewId}`, { headers })).json()) as PreviewView;
    return view.state === 'done' || view.state === 'failed' ? view : undefined;
  }, `preview ${previewId} done`);
  const total = performance.now() - start;
  const changing = preview.hosts.filter((h) => h.result === 'changes' && h.resources?.join() === 'file:/srv/bench/d0/f0.txt');
  if (preview.state !== 'done' || changing.length !== hosts) {
    throw new Error(`preview ${previewId} ${preview.state}: ${changing.length}/${hosts} hosts with the one file changed (${JSON.stringify(preview.error ?? preview.hosts.find((h) => h.result !== 'changes'))})`);
  }
  // The controller's own split, when its build logs it: the fetch, validation, and the hosts.
  const logged = ctl.events.filter((e) => e.previewId === previewId);
  const split = ['fetchMs', 'validateMs', 'hostsMs'].map((k) => logged.find((e) => typeof e[k] === 'number')?.[k]).filter((v) => v !== undefined);
  return { total, accepted, queued: preview.startedAt! - preview.createdAt, hosts: preview.finishedAt! - preview.startedAt!, split: split.length === 3 ? `fetch ${split[0]} ms, validate ${split[1]} ms, hosts ${split[2]} ms` : '' };
}

async function startAll(builds: readonly Build[], fleet: Fleet, remote: GitRemote, hosts: number, dir: string, first: string): Promise<BuildController[]> {
  const ctls: BuildController[] = [];
  for (const build of builds) {
    const home = join(dir, build.name);
    await mkdir(home, { recursive: true });
    const ctl = await startBuildController(build, {
      dir: home, remote, fleet, stateDir: join(home, 'state'),
      extra: { source: { url: remote.bare, branch: 'main', interval: '1h' }, concurrency: hosts, runTimeout: '120s' },
    });
    ctls.push(ctl);
    await ctl.waitFor(() => (ctl.events.filter((e) => e.phase === 'done' && e.revision === first).length >= hosts ? true : undefined), 'first revision everywhere');
  }
  return ctls;
}

/** Runs the preview bench for every build (taking turns); figures for the comparison table. */
export async function benchPreview(options: { hosts: number; runs: number; builds: readonly Build[] }): Promise<Figure[]> {
  const { hosts, builds } = options;
  log(`preview: starting a fleet of ${hosts} hosts`);
  const fleet = await startFleet({ count: hosts, name: 'bench-preview' });
  const remote = await createRemote();
  const dir = await tempDir();
  let ctls: BuildController[] = [];
  try {
    await writeBenchRepository(remote.work, fleet);
    const first = revisionOf(await remote.commit({}, 'bench'));
    ctls = await startAll(builds, fleet, remote, hosts, dir, first);
    const samples = builds.map(() => [] as PreviewTimes[]);
    let version = 0;
    // Run 0 warms up (the first preview of each controller), and is not counted.
    for (let i = 0; i <= options.runs; i++) {
      for (const k of turnOrder(ctls.map((_, n) => n), i)) {
        await pushChange(remote, ++version);
        const t = await previewOnce(ctls[k]!, hosts);
        if (i > 0) samples[k]!.push(t);
        log(`${i === 0 ? 'warm-up' : `run ${i}`} (${ctls[k]!.build.name}): preview of a one-file change on ${hosts} hosts ${ms(t.total)} (202 after ${ms(t.accepted)}, queued ${ms(t.queued)}, hosts ${ms(t.hosts)})${t.split ? `; controller: ${t.split}` : ''}`);
      }
    }
    return previewFigures(samples, hosts, builds.length > 1);
  } finally {
    for (const ctl of ctls) await ctl.stop();
    await fleet.stop();
    await remote.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}

function previewFigures(samples: PreviewTimes[][], hosts: number, withBaseline: boolean): Figure[] {
  const part = (name: string, pick: (t: PreviewTimes) => number, goal?: Figure['goal']): Figure => ({
    name, unit: 'ms', current: samples[0]!.map(pick), ...(withBaseline ? { baseline: samples[1]!.map(pick) } : {}), ...(goal ? { goal } : {}),
  });
  return [
    part(`preview of a 1-file change, ${hosts} hosts, warm: POST -> done`, (t) => t.total, { max: 500, text: '< 0.5 s' }),
    part('  of which POST -> 202 (the ref fetched)', (t) => t.accepted),
    part('  of which validation, observe and plan of every host', (t) => t.hosts),
  ];
}
