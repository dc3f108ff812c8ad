/**
 * `npm run bench -- load`: loading + validating a generated repository of 1,000 hosts x 50 resources
 * (gen-repo.ts, written once), per run once in a fresh `node` process per build (the builds taking
 * turns). Each process imports that build's dist/manifests and times loadRepository() cold (the
 * validators compiled on the way) and warm (a validator reused), and reports its peak RSS: plain
 * Node, no tsx, so the RSS is the loader's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Build } from './builds.js';
import { generateRepository } from './gen-repo.js';
import { spawnCollect } from './measure.js';
import { mb, median, ms } from './stats.js';
import { turnOrder, type Figure } from './verdict.js';

/** What one load process reports. */
export interface LoadSample {
  coldMs: number;
  warmMs: number;
  rssKb: number;
  hosts: number;
  resources: number;
  problems: number;
}

/** The child's program (an ES module run with `node -e`; argv: dist dir, repository dir); prints one JSON line. */
const CHILD = `
import { pathToFileURL } from 'node:url';
const [dist, repo] = process.argv.slice(1);
const m = await import(pathToFileURL(dist + '/manifests/index.js').href);
let t = performance.now();
const cold = await m.loadRepository(repo);
const coldMs = performance.now() - t;
const validator = m.createManifestValidator();
t = performance.now();
const warm = await m.loadRepository(repo, { validator });
const warmMs = performance.now() - t;
const resources = warm.hosts.reduce((n, h) => n + h.resources.length, 0);
console.log(JSON.stringify({ coldMs, warmMs, rssKb: process.resourceUsage().maxRSS, hosts: warm.hosts.length, resources, problems: cold.problems.length }));
`;

/** Loads `repo` once with `build`'s manifests module in a new process; throws unless every host loaded without problems. */
export async function loadOnce(build: Build, repo: string, hosts: number): Promise<LoadSample> {
  const out = await spawnCollect({ command: process.execPath, args: ['--input-type=module', '-e', CHILD, '--', build.dist, repo] });
  const line = out.stdout.trim().split('\n').pop() ?? '';
  const sample = (out.code === 0 && line.startsWith('{') ? JSON.parse(line) : undefined) as LoadSample | undefined;
  if (!sample || sample.hosts !== hosts || sample.problems > 0) {
    throw new Error(`load with the ${build.name} build: exit ${out.code}, expected ${hosts} hosts without problems\n${out.stdout}\n${out.stderr}`.trim());
  }
  return sample;
}

/** Runs the load bench: `runs` rounds, every build once a round; returns the figures (cold, warm, peak RSS). */
export async function benchLoad(options: { builds: readonly Build[]; runs: number; hosts?: number; resourcesPerHost?: number; log: (line: string) => void }): Promise<Figure[]> {
  const hosts = options.hosts ?? 1000;
  const perHost = options.resourcesPerHost ?? 50;
  const repo = await mkdtemp(join(tmpdir(), 'drover-bench-repo-'));
  const samples = options.builds.map((): LoadSample[] => []);
  try {
    await generateRepository(repo, { hosts, resourcesPerHost: perHost });
    for (let run = 0; run < options.runs; run++) {
      for (const i of turnOrder(options.builds.map((_, k) => k), run)) {
        const s = await loadOnce(options.builds[i]!, repo, hosts);
        samples[i]!.push(s);
        options.log(`load run ${run + 1} (${options.builds[i]!.name}): cold ${ms(s.coldMs)}, warm ${ms(s.warmMs)}, peak RSS ${mb(s.rssKb)} (${s.hosts} hosts, ${s.resources} resources)`);
      }
    }
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
  const [cur, base] = samples;
  const what = `${hosts.toLocaleString('en')} hosts x ${perHost} resources`;
  const figure = (name: string, unit: Figure['unit'], pick: (s: LoadSample) => number): Figure => ({
    name: `load + validate ${what}: ${name}`, unit, current: cur!.map(pick), ...(base ? { baseline: base.map(pick) } : {}),
  });
  console.log(`\nload + validate ${what} (${options.builds[0]!.name}): cold ${ms(median(cur!.map((s) => s.coldMs)))}, warm ${ms(median(cur!.map((s) => s.warmMs)))}\n`);
  return [figure('cold (validators compiled)', 'ms', (s) => s.coldMs), figure('warm (validator reused)', 'ms', (s) => s.warmMs), figure('peak RSS', 'kB', (s) => s.rssKb)];
}
