/**
 * Observation benchmark (issue: one-round-trip observation): for N fleet hosts, in the same run and
 * alternating, N parallel `ssh HOST true` with the OpenSSH client (the floor), drover's cold
 * observation (connect + probe + parse, N hosts in parallel) and a warm re-observation over kept
 * connections. Prints medians and ratios.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadValidRepository } from '../../manifests/index.js';
import type { DesiredState } from '../../manifests/types.js';
import { observeHost } from '../../controller/facts/observe.js';
import { connectSsh } from '../../controller/transport/ssh.js';
import type { Transport } from '../../controller/transport/types.js';
import type { Fleet } from '../fleet/index.js';
import { writeBenchRepository } from './fleet-repo.js';
import { median, ms, timeMs } from './stats.js';

function sshTrue(fleet: Fleet, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', ['-F', fleet.sshConfigFile, '-o', 'BatchMode=yes', '-o', 'ControlMaster=no', host, 'true'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ssh ${host} true exited ${code}`))));
  });
}

function connect(fleet: Fleet, d: DesiredState): Promise<Transport> {
  return connectSsh({
    host: d.host.name, address: d.host.address, port: d.host.port, user: 'root',
    privateKeyFiles: [fleet.clientKeyFile], knownHostsFile: fleet.knownHostsFile,
  });
}

export interface ObserveFigures {
  hosts: number;
  floorMs: number;
  coldMs: number;
  warmMs: number;
}

/** Measures observation of the first `count` fleet hosts, `runs` times each, alternating. */
export async function benchObserve(fleet: Fleet, count: number, runs: number): Promise<ObserveFigures> {
  const repo = await mkdtemp(join(tmpdir(), 'drover-bench-observe-'));
  try {
    const hosts = fleet.hosts.slice(0, count);
    await writeBenchRepository(repo, { hosts });
    const desired = (await loadValidRepository(repo)).hosts;
    const floor: number[] = [];
    const cold: number[] = [];
    const warm: number[] = [];
    for (let run = 0; run < runs; run++) {
      floor.push(await timeMs(() => Promise.all(hosts.map((h) => sshTrue(fleet, h.name)))));
      let transports: Transport[] = [];
      cold.push(await timeMs(async () => {
        transports = await Promise.all(desired.map((d) => connect(fleet, d)));
        await Promise.all(desired.map((d, i) => observeHost(d, transports[i] as Transport)));
      }));
      warm.push(await timeMs(() => Promise.all(desired.map((d, i) => observeHost(d, transports[i] as Transport)))));
      await Promise.all(transports.map((t) => t.close()));
    }
    return { hosts: count, floorMs: median(floor), coldMs: median(cold), warmMs: median(warm) };
  } finally {
    await rm(repo, { recursive: true, force: true });
  }
}

/** Formats observation figures as table rows. */
export function observeRows(f: ObserveFigures): string[][] {
  return [[String(f.hosts), ms(f.floorMs), ms(f.coldMs), (f.coldMs / f.floorMs).toFixed(2), ms(f.warmMs)]];
}
