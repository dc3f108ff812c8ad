/**
 * `npm run bench`: prints drover's benchmark figures (a script, not a test; takes a minute or more).
 * 1. loading + validating a generated repository of 1,000 hosts x 50 resources (own process, for RSS);
 * 2. observing N = 20 and 50 fleet hosts against the floor of N parallel `ssh HOST true`.
 * Needs root and openssh-server (the test fleet). Figures are ratios against a baseline measured in the
 * same run; nothing here asserts a time.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { renderTable } from '../../controller/cli/table.js';
import { startFleet } from '../fleet/index.js';
import { benchObserve, observeRows } from './observe.js';

const here = import.meta.dirname;

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
    console.log('\nfloor: N parallel `ssh -F ssh_config HOST true` (OpenSSH, fresh connections); cold: connect + one probe per host;');
    console.log('warm: the same probe again over the kept connections (as the controller runs it). Desired state per host:');
    console.log('5 directories, 30 small files, 1 template.');
  } finally {
    await fleet.stop();
  }
}

const only = process.argv[2];
if (only === undefined || only === 'load') benchLoad();
if (only === undefined || only === 'observe') await benchObservation(Number(process.env.BENCH_RUNS ?? 5));
