import { accessSync, constants, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { FleetError } from './errors.js';
import { wildcardPort22Taken } from './listeners.js';

/** The machine binaries a fleet host needs. */
export const SSHD_PATH = '/usr/sbin/sshd';
export const SYSTEMD_PATH = '/lib/systemd/systemd';

/**
 * Throws a FleetError `E_FLEET_PREREQ` naming what is missing for a test fleet on this
 * machine: Linux, root, sshd, unshare, ssh-keygen, a free port 22 on the loopback
 * addresses, and for systemd hosts systemd plus the cgroup hierarchies it needs.
 * Never returns silently when something is missing, so tests needing the fleet fail.
 */
export function checkFleetPrerequisites(options: { systemd: boolean }): void {
  if (process.platform !== 'linux') {
    throw new FleetError('E_FLEET_PREREQ', `cannot start a test fleet; missing: Linux (this is ${process.platform})`);
  }
  const missing: string[] = [];
  if (typeof process.getuid === 'function' && process.getuid() !== 0) missing.push('root (uid 0)');
  if (!isExecutable(SSHD_PATH)) missing.push(`${SSHD_PATH} (apt-get install openssh-server)`);
  for (const tool of ['unshare', 'ssh-keygen', 'ssh']) {
    if (!onPath(tool)) missing.push(`${tool} on PATH`);
  }
  if (!readFileSync('/proc/filesystems', 'utf8').includes('overlay')) missing.push('the overlay filesystem (modprobe overlay)');
  if (options.systemd) missing.push(...systemdProblems());
  if (missing.length === 0 && wildcardPort22Taken()) {
    // Every fleet host listens on 127.77.x.y:22; the machine's own sshd on *:22 takes them all.
    missing.push('a free port 22 on loopback addresses (something listens on *:22: if it is the machine\'s sshd, stop it (systemctl stop ssh.service ssh.socket) or give it a ListenAddress)');
  }
  if (missing.length > 0) {
    throw new FleetError('E_FLEET_PREREQ', `cannot start a test fleet; missing: ${missing.join('; ')}`);
  }
}

function systemdProblems(): string[] {
  const problems: string[] = [];
  if (!isExecutable(SYSTEMD_PATH)) problems.push(`${SYSTEMD_PATH} (apt-get install systemd)`);
  for (const dir of ['systemd', 'unified']) {
    if (!isWritable(`/sys/fs/cgroup/${dir}/cgroup.procs`)) {
      problems.push(`a writable /sys/fs/cgroup/${dir} hierarchy (systemd hosts need the cgroup v1 hybrid layout)`);
    }
  }
  return problems;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isWritable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}
