/**
 * drover alone at larger fleets: for each size, converge the hosts once (not measured), then per run
 * the floor (N parallel `ssh HOST true`) and the CLI's no-op dry run of every build (the current
 * one, and a baseline when given, taking turns), with drover's peak RSS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fleet } from '../fleet/index.js';
import type { Build } from './builds.js';
import { assertDrover, runDrover } from './drover-cli.js';
import { writeBenchRepository } from './fleet-repo.js';
import { assertConverged, sshTrueAll } from './hosts.js';
import { measure, type Sample } from './measure.js';
import { turnOrder } from './verdict.js';

/** The samples of one fleet size. */
export interface ScaleResult {
  hosts: number;
  floor: Sample[];
  /** The current build's no-op dry runs. */
  dry: Sample[];
  /** The baseline build's, when one ran. */
  baseline?: Sample[];
}

/** Measures the no-op dry run of the first `count` hosts `runs` times per build (`builds[0]` the current one), after the floor in each run. */
export async function scaleDryRun(options: { fleet: Fleet; count: number; runs: number; builds: readonly Build[]; log: (line: string) => void }): Promise<ScaleResult> {
  const { fleet, runs } = options;
  const hosts = fleet.hosts.slice(0, options.count);
  const repo = await mkdtemp(join(tmpdir(), 'drover-bench-scale-'));
  try {
    await writeBenchRepository(repo, { hosts });
    const converge = await runDrover({ repo, fleet, mode: 'apply', bin: options.builds[0]!.bin });
    if (converge.code !== 0) assertDrover(converge, { hosts, code: 0, status: 'converged', what: `converging ${hosts.length} hosts` });
    assertConverged(hosts, `drover converging ${hosts.length} hosts`);
    const out: ScaleResult = { hosts: hosts.length, floor: [], dry: [], ...(options.builds.length > 1 ? { baseline: [] } : {}) };
    for (let run = 0; run < runs; run++) {
      out.floor.push(await measure(() => sshTrueAll(fleet, hosts)));
      for (const build of turnOrder(options.builds, run)) {
        const dry = await runDrover({ repo, fleet, mode: 'dry-run', bin: build.bin });
        assertDrover(dry, { hosts, code: 0, status: 'in sync', what: `no-op dry run of ${hosts.length} hosts (${build.name})` });
        (build === options.builds[0] ? out.dry : out.baseline!).push(dry);
        options.log(`${hosts.length} hosts run ${run + 1}: floor ${(out.floor.at(-1)!.wallMs / 1000).toFixed(2)}s drover (${build.name}) dry run ${(dry.wallMs / 1000).toFixed(2)}s RSS ${Math.round((dry.maxRssKb ?? 0) / 1024)} MB`);
      }
    }
    return out;
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
}
