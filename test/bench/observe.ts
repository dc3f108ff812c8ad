/**
 * Observation benchmark (issue: one-round-trip observation): for N fleet hosts, in the same run and
 * alternating, N parallel `ssh HOST true` with the OpenSSH client (the floor), drover's cold
 * observation (connect + probe + parse, N hosts in parallel) and a warm re-observation over kept
 * connections, per build (each build's own dist/ modules, imported into this process; the builds take
 * turns). Prints medians and ratios.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { loadValidRepository } from '../../manifests/index.js';
import type { DesiredState } from '../../manifests/types.js';
import type { observeHost } from '../../controller/facts/observe.js';
import type { connectSsh } from '../../controller/transport/ssh.js';
import type { Transport } from '../../controller/transport/types.js';
import type { Fleet } from '../fleet/index.js';
import { importFrom, type Build } from './builds.js';
import { writeBenchRepository } from './fleet-repo.js';
import { median, ms, timeMs } from './stats.js';
import { turnOrder, type Figure } from './verdict.js';

function sshTrue(fleet: Fleet, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', ['-F', fleet.sshConfigFile, '-o', 'BatchMode=yes', '-o', 'ControlMaster=no', host, 'true'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ssh ${host} true exited ${code}`))));
  });
}

/** The library functions observation runs, from a build's dist/. */
interface Library {
  loadValidRepository: typeof loadValidRepository;
  observeHost: typeof observeHost;
  connectSsh: typeof connectSsh;
}

async function libraryOf(build: Build): Promise<Library> {
  const [m, o, t] = await Promise.all([
    importFrom<typeof import('../../manifests/index.js')>(build, 'manifests/index.js'),
    importFrom<typeof import('../../controller/facts/observe.js')>(build, 'controller/facts/observe.js'),
    importFrom<typeof import('../../controller/transport/ssh.js')>(build, 'controller/transport/ssh.js'),
  ]);
  return { loadValidRepository: m.loadValidRepository, observeHost: o.observeHost, connectSsh: t.connectSsh };
}

function connect(lib: Library, fleet: Fleet, d: DesiredState): Promise<Transport> {
  return lib.connectSsh({
    host: d.host.name, address: d.host.address, port: d.host.port, user: 'root',
    privateKeyFiles: [fleet.clientKeyFile], knownHostsFile: fleet.knownHostsFile,
  });
}

/** One build's samples: cold (connect + observe every host) and warm (observe again over the kept connections). */
interface BuildSamples {
  cold: number[];
  warm: number[];
}

/** The samples of one fleet size: the floor, and per build (in the order given) cold and warm. */
export interface ObserveSamples {
  hosts: number;
  floor: number[];
  builds: BuildSamples[];
}

async function observeOnce(lib: Library, fleet: Fleet, desired: DesiredState[], into: BuildSamples): Promise<void> {
  let transports: Transport[] = [];
  into.cold.push(await timeMs(async () => {
    transports = await Promise.all(desired.map((d) => connect(lib, fleet, d)));
    await Promise.all(desired.map((d, i) => lib.observeHost(d, transports[i] as Transport)));
  }));
  into.warm.push(await timeMs(() => Promise.all(desired.map((d, i) => lib.observeHost(d, transports[i] as Transport)))));
  await Promise.all(transports.map((t) => t.close()));
}

/** Measures observation of the first `count` fleet hosts, `runs` times: the floor, then each build in turn (its own dist/ modules). */
export async function benchObserve(fleet: Fleet, count: number, runs: number, builds: readonly Build[]): Promise<ObserveSamples> {
  const repo = await mkdtemp(join(tmpdir(), 'drover-bench-observe-'));
  try {
    const hosts = fleet.hosts.slice(0, count);
    await writeBenchRepository(repo, { hosts });
    const libs = await Promise.all(builds.map((b) => libraryOf(b)));
    const desired = (await libs[0]!.loadValidRepository(repo)).hosts;
    const out: ObserveSamples = { hosts: count, floor: [], builds: builds.map(() => ({ cold: [], warm: [] })) };
    for (let run = 0; run < runs; run++) {
      out.floor.push(await timeMs(() => Promise.all(hosts.map((h) => sshTrue(fleet, h.name)))));
      for (const i of turnOrder(builds.map((_, k) => k), run)) await observeOnce(libs[i]!, fleet, desired, out.builds[i]!);
    }
    return out;
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
}

/** The current build's medians as a table row: hosts, floor, cold, cold/floor, warm. */
export function observeRows(s: ObserveSamples): string[][] {
  const cur = s.builds[0]!;
  return [[String(s.hosts), ms(median(s.floor)), ms(median(cur.cold)), (median(cur.cold) / median(s.floor)).toFixed(2), ms(median(cur.warm))]];
}

/** The samples as figures for the comparison table (the floor: current column only). */
export function observeFigures(s: ObserveSamples): Figure[] {
  const [cur, base] = s.builds;
  const pair = (key: keyof BuildSamples, what: string): Figure => ({ name: `${s.hosts} hosts: observe, ${what}`, unit: 'ms', current: cur![key], ...(base ? { baseline: base[key] } : {}) });
  return [
    { name: `${s.hosts} hosts: floor (ssh HOST true, observe)`, unit: 'ms', current: s.floor, note: 'OpenSSH\'s client, the same for both builds' },
    pair('cold', 'cold (connect + probe + parse)'),
    pair('warm', 'warm (kept connections)'),
  ];
}
