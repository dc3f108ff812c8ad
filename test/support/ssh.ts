import { execFile } from 'node:child_process';
import { shellQuote } from '../../controller/transport/shell.js';
import type { SshOptions } from '../../controller/transport/ssh.js';
import type { Fleet, FleetHost } from '../fleet/index.js';

/**
 * Runs a shell command on a fleet host with the OpenSSH client, on a fresh connection (no multiplexing);
 * rejects (with stderr) when it exits non-zero.
 */
export function sshRun(fleet: Pick<Fleet, 'sshConfigFile'>, host: string, command: string, stdin?: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const args = ['-F', fleet.sshConfigFile, '-o', 'BatchMode=yes', '-o', 'ControlMaster=no', '-o', 'ControlPath=none', host, command];
    const child = execFile('ssh', args, { encoding: 'buffer', maxBuffer: 64 << 20 },
      (err, stdout, stderr) => (err ? reject(new Error(`ssh ${host} ${command}: ${err.message}\n${stderr.toString()}`)) : resolve(stdout.toString())));
    if (stdin !== undefined) child.stdin?.end(stdin);
    else child.stdin?.end();
  });
}

/**
 * Copies `paths` (files or directories relative to `fromDir` on this machine) into `toDir` on a fleet
 * host, as a tar stream through the SSH session. A host does not see this machine's /tmp (it has a
 * fresh one), where a checkout may well be: what a host needs from it goes over SSH, never as a path.
 */
export async function copyToHost(fleet: Pick<Fleet, 'sshConfigFile'>, host: string, fromDir: string, paths: string[], toDir: string): Promise<void> {
  const tar = await new Promise<Buffer>((resolve, reject) => {
    execFile('tar', ['-c', '-C', fromDir, '--', ...paths], { encoding: 'buffer', maxBuffer: 256 << 20 },
      (err, stdout, stderr) => (err ? reject(new Error(`tar of ${paths.join(' ')} in ${fromDir}: ${err.message}\n${stderr.toString()}`)) : resolve(stdout)));
  });
  await sshRun(fleet, host, `mkdir -p ${shellQuote(toDir)} && tar -x -C ${shellQuote(toDir)}`, tar);
}

/** CLI flags that let drover reach the fleet's hosts. */
export function fleetSshFlags(fleet: Fleet): string[] {
  return ['--known-hosts', fleet.knownHostsFile, '-i', fleet.clientKeyFile];
}

/** SshOptions for root on a fleet `host`: the fleet's client key and known_hosts, short timeouts. */
export function fleetSshOptions(fleet: Fleet, host: FleetHost, overrides: Partial<SshOptions> = {}): SshOptions {
  return {
    host: host.name,
    address: host.address,
    port: host.port,
    user: 'root',
    privateKeyFiles: [fleet.clientKeyFile],
    knownHostsFile: fleet.knownHostsFile,
    connectTimeoutMs: 5000,
    ...overrides,
  };
}
