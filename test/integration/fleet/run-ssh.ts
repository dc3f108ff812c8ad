import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import type { Fleet } from '../../fleet/index.js';

/** Result of one OpenSSH client run. */
export interface SshResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ssh -F <fleet ssh_config> [extra...] <host> <command>` with the OpenSSH client; never throws on exit codes. */
export function runSsh(options: { fleet: Fleet; host: string; command: string; extra?: string[] }): Promise<SshResult> {
  const args = ['-F', options.fleet.sshConfigFile, ...(options.extra ?? []), options.host, options.command];
  return new Promise((resolve) => {
    execFile('ssh', args, { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() });
    });
  });
}

/** Pids of every live (non-zombie) process in the pid namespaces of the fleet's hosts. */
export function fleetPids(fleet: Fleet): number[] {
  return pidsInNamespace(...fleet.hosts.map((h) => readlinkSync(`/proc/${h.pid}/ns/pid`)));
}

/** Pids of every live process in the given pid namespaces (`pid:[inode]`, as `readlink /proc/PID/ns/pid` says). */
export function pidsInNamespace(...names: string[]): number[] {
  const namespaces = new Set(names);
  return livePids().filter((pid) => {
    try {
      return namespaces.has(readlinkSync(`/proc/${pid}/ns/pid`));
    } catch {
      return false;
    }
  });
}

/** True when the pid names a process that runs (exists and is not a zombie). */
export function isLive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

function livePids(): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter(isLive);
}

/** Mount lines, in the mount namespace of any process on the machine, that mention `path`. */
export function mountsMentioning(path: string): string[] {
  const found: string[] = [];
  for (const pid of livePids()) {
    try {
      found.push(...readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n').filter((l) => l.includes(path)));
    } catch {
      // process ended meanwhile
    }
  }
  return found;
}
