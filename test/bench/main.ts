/**
 * `npm run bench [-- COMMAND]`: drover's benchmarks (a script, not a test; the full run takes many
 * minutes, most of it Ansible). Needs root, openssh-server (the test fleet) and Debian's packages
 * ansible and time (installed when absent).
 *   (none) | all  drover vs Ansible on BENCH_HOSTS (20) hosts, then drover alone at BENCH_SCALE
 *                 (50,200) hosts; prints the tables and writes BENCH_OUT (docs/benchmarks.md)
 *   ansible       only the comparison;   scale   only drover at larger fleets
 *   observe       cold and warm observation against the floor (20 and 50 hosts)
 *   load          loading + validating a generated repository of 1,000 hosts x 50 resources
 *   controller    the running controller: commit -> converged, warm drift check (BENCH_HOSTS hosts), RSS with
 *                 1,000 hosts, then its HTTP API: webhook -> converged, GET /api/v1/hosts p99 under load; writes
 *                 its own section of BENCH_OUT (kept by the other commands)
 *   http          only the HTTP API figures (into the controller section)
 * BENCH_RUNS (3) runs of everything, medians reported. Nothing here asserts a time: the goals are
 * reported as met or missed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderTable } from '../../controller/cli/table.js';
import { startFleet } from '../fleet/index.js';
import { compareTools, type Comparison } from './compare.js';
import { benchController, controllerSection } from './controller.js';
import { benchHttp, httpSection, writeHttpSection } from './http.js';
import { buildCli } from './drover-cli.js';
import { describeMachine, ensureTools, loadAverage } from './machine.js';
import { benchObserve, observeRows } from './observe.js';
import { comparisonTable, evaluateGoals, goalLines, renderMarkdown, scaleTable } from './report.js';
import { scaleDryRun, type ScaleResult } from './scale.js';

const here = import.meta.dirname;
const log = (line: string): void => console.error(`[bench] ${line}`);

function benchLoad(): void {
  console.log('## load + validate a generated repository (1,000 hosts x 50 resources)\n');
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'load.ts'), '1000', '50'], { encoding: 'utf8' });
  console.log((run.stdout + run.stderr).trim());
  console.log();
}

async function benchObservation(runs: number): Promise<void> {
  console.log(`## observe fleet hosts (medians of ${runs} runs, alternating)\n`);
  const fleet = await startFleet({ count: 50, name: 'bench' });
  try {
    const rows: string[][] = [];
    for (const n of [20, 50]) rows.push(...observeRows(await benchObserve(fleet, n, runs)));
    console.log(renderTable(['HOSTS', 'FLOOR (ssh true)', 'DROVER COLD', 'COLD/FLOOR', 'DROVER WARM'], rows));
  } finally {
    await fleet.stop();
  }
}

interface Settings {
  runs: number;
  hosts: number;
  scale: number[];
  out: string;
}

function settingsFromEnv(): Settings {
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const hosts = Number(process.env.BENCH_HOSTS ?? 20);
  const scale = (process.env.BENCH_SCALE ?? '50,200').split(',').filter(Boolean).map(Number);
  const bad = [runs, hosts, ...scale].filter((n) => !Number.isInteger(n) || n < 1 || n > 254);
  if (bad.length > 0) throw new Error(`BENCH_RUNS, BENCH_HOSTS and BENCH_SCALE must be integers 1..254 (got ${bad.join(', ')})`);
  return { runs, hosts, scale, out: process.env.BENCH_OUT ?? join(here, '..', '..', 'docs', 'benchmarks.md') };
}

async function benchTools(options: { settings: Settings; compare: boolean; scale: boolean; write: boolean }): Promise<void> {
  const { settings } = options;
  const startedAt = new Date();
  ensureTools(log);
  const machine = describeMachine();
  log('building the CLI (npm run build)');
  buildCli();
  const count = Math.max(options.compare ? settings.hosts : 1, ...(options.scale ? settings.scale : [1]));
  log(`starting a fleet of ${count} hosts`);
  const fleet = await startFleet({ count, name: 'bench' });
  let comparison: Comparison | undefined;
  const scale: ScaleResult[] = [];
  try {
    if (options.compare) {
      comparison = await compareTools({ fleet, count: settings.hosts, runs: settings.runs, log });
      console.log(`\n${comparisonTable(comparison)}\n`);
    }
    if (options.scale) {
      for (const n of settings.scale) scale.push(await scaleDryRun({ fleet, count: n, runs: settings.runs, log }));
      console.log(`${scaleTable(scale)}\n`);
    }
  } finally {
    await fleet.stop();
  }
  console.log(goalLines(evaluateGoals(comparison, scale)).join('\n'));
  if (!options.write) return;
  machine.push(['load average at end', loadAverage()]);
  const durationS = (Date.now() - startedAt.getTime()) / 1000;
  const command = `npm run bench${process.argv[2] ? ` -- ${process.argv[2]}` : ''} (BENCH_RUNS=${settings.runs} BENCH_HOSTS=${settings.hosts} BENCH_SCALE=${settings.scale.join(',')})`;
  let kept = '';
  try {
    kept = controllerSection(readFileSync(settings.out, 'utf8'));
  } catch {
    // no document yet
  }
  const markdown = renderMarkdown({ comparison, scale, machine, startedAt, durationS, command });
  writeFileSync(settings.out, kept ? `${markdown.trimEnd()}\n\n${kept}\n` : markdown);
  console.log(`\nwrote ${settings.out}`);
}

const command = process.argv[2] ?? 'all';
const settings = settingsFromEnv();
switch (command) {
  case 'all': await benchTools({ settings, compare: true, scale: true, write: true }); break;
  case 'ansible': await benchTools({ settings, compare: true, scale: false, write: process.env.BENCH_OUT !== undefined }); break;
  case 'scale': await benchTools({ settings, compare: false, scale: true, write: process.env.BENCH_OUT !== undefined }); break;
  case 'observe': await benchObservation(settings.runs); break;
  case 'load': benchLoad(); break;
  case 'controller': {
    await benchController({ hosts: settings.hosts, runs: settings.runs, out: settings.out });
    const http = await benchHttp({ hosts: settings.hosts, runs: settings.runs });
    console.log(`\n${httpSection(http, settings.runs).join('\n')}\n`);
    await writeHttpSection(settings.out, http, settings.runs);
    break;
  }
  case 'http': {
    const http = await benchHttp({ hosts: settings.hosts, runs: settings.runs });
    console.log(`\n${httpSection(http, settings.runs).join('\n')}\n`);
    await writeHttpSection(settings.out, http, settings.runs);
    break;
  }
  default: throw new Error(`unknown bench command "${command}" (all, ansible, scale, observe, load, controller, http)`);
}
