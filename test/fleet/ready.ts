import { connect } from 'node:net';
import { execFile } from 'node:child_process';
import { FleetError } from './errors.js';
import { findHostInit, hostLog, type LaunchedHost } from './host.js';
import { listeningSockets } from './proc.js';

/** Resolves true when an SSH server answers at address:port with its `SSH-2.0-` banner. */
export function readSshBanner(options: { address: string; port: number; timeoutMs?: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: options.address, port: options.port });
    let received = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(options.timeoutMs ?? 2_000, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\n')) finish(received.startsWith('SSH-2.0-'));
    });
  });
}

function startFailure(host: LaunchedHost, why: string): FleetError {
  return new FleetError('E_FLEET_HOST_START', `fleet host ${host.endpoint.name} (${host.endpoint.address}) ${why}; its output:\n${hostLog(host)}`, {
    host: host.endpoint.name,
  });
}

/**
 * Polls until every host's sshd listens on both its address and its 127.0.0.1 port
 * (read from /proc/net/tcp for all hosts at once, so probing costs no sshd forks),
 * then confirms each with one SSH banner read. Throws E_FLEET_HOST_START with the
 * host's output when a host exits first or `deadline` (epoch ms) passes.
 */
export async function waitForHosts(hosts: LaunchedHost[], options: { deadline: number }): Promise<void> {
  let pending = hosts;
  const banners: Promise<FleetError | undefined>[] = [];
  for (let pause = 10; pending.length > 0; pause = Math.min(pause * 2, 100)) {
    const listening = listeningSockets();
    for (const host of pending) {
      if (host.exit) throw startFailure(host, `exited (code ${host.exit.code}, signal ${host.exit.signal}) before sshd listened`);
    }
    const up = pending.filter((h) => listening.has(`${h.endpoint.address}:${h.endpoint.port}`) && listening.has(`127.0.0.1:${h.endpoint.localPort}`));
    banners.push(...up.map((h) => confirmBanner(h)));
    pending = pending.filter((h) => !up.includes(h));
    if (pending.length > 0 && Date.now() >= options.deadline) throw startFailure(pending[0]!, `did not listen in time (${pending.length} hosts pending)`);
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, pause));
  }
  const failure = (await Promise.all(banners)).find((e) => e !== undefined);
  if (failure) throw failure;
}

/** Resolves (never rejects, so an early throw above leaves no unhandled rejection) to the failure, if any. */
async function confirmBanner(host: LaunchedHost): Promise<FleetError | undefined> {
  if (!(await readSshBanner({ address: host.endpoint.address, port: host.endpoint.port, timeoutMs: 10_000 }))) {
    return startFailure(host, 'listens but sent no SSH banner');
  }
  if (findHostInit(host)) return undefined;
  // Someone else answered on the host's endpoints: the host itself failed to bind.
  const why = host.exit ? `exited (code ${host.exit.code}, signal ${host.exit.signal})` : 'has no PID 1';
  return startFailure(host, `${why}, yet something else answers on its address`);
}

/**
 * For a systemd host: runs `systemctl is-system-running --wait` over SSH, so the host has
 * finished booting (state running or degraded) when this resolves. Throws
 * E_FLEET_HOST_START with the ssh output when boot does not finish by `deadline`.
 */
export function waitForBoot(host: LaunchedHost, options: { sshConfigFile: string; deadline: number }): Promise<void> {
  const timeout = Math.max(1_000, options.deadline - Date.now());
  return new Promise((resolve, reject) => {
    execFile(
      'ssh',
      ['-F', options.sshConfigFile, host.endpoint.name, 'systemctl', 'is-system-running', '--wait'],
      { timeout },
      (error, stdout, stderr) => {
        const state = stdout.trim();
        if (state === 'running' || state === 'degraded') resolve();
        else reject(startFailure(host, `did not finish booting (state "${state}", ${error?.message ?? ''} ${stderr.trim()})`));
      },
    );
  });
}
