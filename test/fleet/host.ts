import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childPids, identify, isRunning, pollUntil, pollUntilSync, signalProcess, type ProcessIdentity } from './proc.js';
import { prepareHostRoot } from './host-root.js';
import type { HostEndpoint, KeyPair } from './ssh-files.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SYSTEMD_LAUNCH_SCRIPT = join(HERE, 'launch-host.sh');
const INNER_SCRIPT = join(HERE, 'inner-host.sh');
/** --kill-child: when unshare dies, the kernel kills the host's PID 1 (and so the host). */
const PLAIN_UNSHARE_ARGS = ['--mount', '--uts', '--ipc', '--pid', '--fork', '--propagation', 'private', '--kill-child'];
/** glibc's SIGRTMIN is 34; systemd powers off cleanly on SIGRTMIN+4. */
const SIGRTMIN_PLUS_4 = 38;

/** What survives in the fleet record about a host, enough to kill it from another process. */
export interface HostRecord {
  name: string;
  dir: string;
  /** The `unshare` process (our child); it exits once the host's PID 1 is gone. */
  launcher: ProcessIdentity;
  /** The host's PID 1, once known. */
  init?: ProcessIdentity;
  /** Relative cgroup path (systemd hosts). */
  cgroup?: string;
}

/** A host this process launched. */
export interface LaunchedHost {
  endpoint: HostEndpoint;
  record: HostRecord;
  systemd: boolean;
  child: ChildProcess;
  /** Set when the launcher exited; the host is then gone. */
  exit?: { code: number | null; signal: NodeJS.Signals | null };
}

/**
 * Prepares the host dir (overlay dirs, the host's files in the upper dir) and spawns
 * unshare (systemd hosts: launch-host.sh), which puts the host in its own namespaces.
 * Returns at once; use waitForHosts (ready.ts) next.
 */
export function launchHost(options: {
  endpoint: HostEndpoint;
  dir: string;
  systemd: boolean;
  hostKey: KeyPair;
  clientPublicKey: string;
  cgroup?: string;
}): LaunchedHost {
  const { dir, endpoint, systemd } = options;
  for (const sub of ['upper', 'work', 'merged']) mkdirSync(join(dir, sub), { recursive: true });
  prepareHostRoot({ upper: join(dir, 'upper'), endpoint, systemd, hostKey: options.hostKey, clientPublicKey: options.clientPublicKey });
  const log = openSync(join(dir, 'log'), 'a');
  const [command, args] = systemd ? ['/bin/sh', [SYSTEMD_LAUNCH_SCRIPT]] : ['unshare', [...PLAIN_UNSHARE_ARGS, '/bin/sh', INNER_SCRIPT]];
  const child = spawn(command, args, {
    stdio: ['ignore', log, log],
    env: {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      FLEET_HOST_DIR: dir,
      FLEET_HOST_NAME: endpoint.name,
      FLEET_SYSTEMD: systemd ? '1' : '0',
      FLEET_CGROUP: options.cgroup ?? '',
    },
  });
  closeSync(log);
  const launcher = child.pid === undefined ? undefined : identify(child.pid);
  if (!launcher) throw new Error(`fleet host ${endpoint.name}: could not spawn ${command}`);
  const host: LaunchedHost = { endpoint, systemd, child, record: { name: endpoint.name, dir, launcher } };
  if (options.cgroup) host.record.cgroup = options.cgroup;
  child.on('exit', (code, signal) => {
    host.exit = { code, signal };
  });
  return host;
}

/** The last lines of the host's launcher/sshd/systemd output, for error messages. */
export function hostLog(host: LaunchedHost, maxChars = 3000): string {
  try {
    const text = readFileSync(join(host.record.dir, 'log'), 'utf8').trim();
    return text.length > maxChars ? `...${text.slice(-maxChars)}` : text || '(empty)';
  } catch {
    return '(no log)';
  }
}

/**
 * Fills `record.init` with the host's PID 1: the first process below the launcher (its child, or
 * for a systemd host the child of its unshare) that lives in another pid namespace (before that,
 * the launcher's children are its own helper commands). A systemd host gets a new PID 1 on each
 * reboot, so a recorded one that has ended is looked up again.
 */
export function findHostInit(host: LaunchedHost): ProcessIdentity | undefined {
  if (host.record.init && isRunning(host.record.init)) return host.record.init;
  delete host.record.init;
  const ownNamespace = readlinkSync('/proc/self/ns/pid');
  const below = childPids(host.record.launcher.pid);
  for (const pid of [...below, ...below.flatMap((child) => childPids(child))]) {
    let namespace: string;
    try {
      namespace = readlinkSync(`/proc/${pid}/ns/pid`);
    } catch {
      continue;
    }
    const init = namespace === ownNamespace ? undefined : identify(pid);
    if (init) {
      host.record.init = init;
      return init;
    }
  }
  return undefined;
}

/**
 * Stops a host and resolves once its launcher has exited, which happens only after every
 * process of the host's pid namespace (and so its mounts) is gone. systemd gets a clean
 * poweroff (SIGRTMIN+4) and SIGKILL when it does not end in time; a plain host is killed
 * outright, since the kernel only delivers caught signals to a namespace's PID 1 (the
 * start script catches none) and sshd has nothing to save.
 */
export async function stopHost(host: LaunchedHost): Promise<void> {
  const init = findHostInit(host);
  const gone = (): boolean => host.exit !== undefined || !isRunning(host.record.launcher);
  if (init && host.systemd && readComm(init.pid) === 'systemd') {
    signalProcess(init, SIGRTMIN_PLUS_4);
    if (await pollUntil(gone, { timeoutMs: 30_000 })) return;
  }
  if (init) signalProcess(init, 'SIGKILL');
  if (await pollUntil(gone, { timeoutMs: 2_000 })) return;
  killHostsSync([host.record]);
  await pollUntil(gone, { timeoutMs: 10_000 });
}

function readComm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * Kills hosts at once with SIGKILL and waits, synchronously, up to 6 s until they are
 * gone. PIDs 1 go first, so each launcher can reap its host and exit by itself; a
 * launcher that lingers or whose PID 1 is unknown is killed too (its --kill-child then
 * kills PID 1). For exit handlers and for reaping hosts of a dead process.
 */
export function killHostsSync(records: HostRecord[]): boolean {
  const lingering = (): HostRecord[] => records.filter((r) => isRunning(r.launcher) || (r.init !== undefined && isRunning(r.init)));
  for (const record of records) if (record.init) signalProcess(record.init, 'SIGKILL');
  if (pollUntilSync(() => lingering().length === 0, { timeoutMs: 1_000 })) return true;
  for (const record of lingering()) signalProcess(record.launcher, 'SIGKILL');
  return pollUntilSync(() => lingering().length === 0, { timeoutMs: 5_000 });
}
