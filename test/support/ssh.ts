import { execFile } from 'node:child_process';
import type { Fleet } from '../fleet/index.js';

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

/** CLI flags that let drover reach the fleet's hosts. */
export function fleetSshFlags(fleet: Fleet): string[] {
  return ['--known-hosts', fleet.knownHostsFile, '-i', fleet.clientKeyFile];
}
