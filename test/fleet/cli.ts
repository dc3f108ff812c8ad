/**
 * Manual use and demos of the test fleet:
 *   npx tsx test/fleet/cli.ts start N [--systemd] [--name NAME]   starts N hosts, prints how to reach them,
 *                                                                  reports start time and memory, runs until Ctrl-C
 *   npx tsx test/fleet/cli.ts stop                                  kills every fleet whose owner is gone (reap)
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { startFleet, reapStaleFleets, type Fleet } from './index.js';

/** Sum of Pss (kB) of every process in the pid namespace of each host. */
function fleetMemoryKb(fleet: Fleet): number {
  const namespaces = new Set(fleet.hosts.map((h) => readlinkSync(`/proc/${h.pid}/ns/pid`)));
  let total = 0;
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      if (!namespaces.has(readlinkSync(`/proc/${entry}/ns/pid`))) continue;
      const pss = /^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/smaps_rollup`, 'utf8'));
      total += Number(pss?.[1] ?? 0);
    } catch {
      // process ended while scanning
    }
  }
  return total;
}

function memAvailableKb(): number {
  return Number(/^MemAvailable:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
}

async function start(args: string[]): Promise<void> {
  const count = Number(args[0] ?? 3);
  const systemd = args.includes('--systemd');
  const nameAt = args.indexOf('--name');
  const before = memAvailableKb();
  const t0 = performance.now();
  const fleet = await startFleet({ count, systemd, ...(nameAt >= 0 ? { name: args[nameAt + 1] } : {}) });
  const seconds = ((performance.now() - t0) / 1000).toFixed(2);
  const used = before - memAvailableKb();
  const pss = fleetMemoryKb(fleet);
  console.log(`${count} ${systemd ? 'systemd' : 'plain'} hosts ready in ${seconds} s`);
  console.log(`memory: Pss ${(pss / count / 1024).toFixed(1)} MB/host; MemAvailable drop ${(used / count / 1024).toFixed(1)} MB/host`);
  console.log(`fleet dir: ${fleet.dir}\ntry: ssh -F ${fleet.sshConfigFile} ${fleet.hosts[0]?.name} hostname`);
  for (const h of fleet.hosts.slice(0, 5)) console.log(`  ${h.name}  ${h.address}:${h.port}  127.0.0.1:${h.localPort}  pid ${h.pid}`);
  if (args.includes('--once')) {
    const t1 = performance.now();
    await fleet.stop();
    console.log(`stopped in ${((performance.now() - t1) / 1000).toFixed(2)} s`);
    return;
  }
  console.log('Ctrl-C stops the fleet');
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.removeListener('SIGINT', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
  });
  await fleet.stop();
  console.log('stopped');
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'start') {
  await start(rest);
} else if (command === 'stop') {
  reapStaleFleets();
  console.log('reaped fleets of dead processes');
} else {
  console.error('usage: cli.ts start N [--systemd] [--name NAME] [--once] | stop');
  process.exitCode = 2;
}
