import { connect } from 'node:net';
import { execFile } from 'node:child_process';
import { DroverError } from '../../manifests/errors.js';
import { findHostInit, hostLog, type LaunchedHost } from './host.js';

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

function startFailure(host: LaunchedHost, why: string): DroverError {
  return new DroverError('E_FLEET_HOST_START', `fleet host ${host.endpoint.name} (${host.endpoint.address}) ${why}; its output:\n${hostLog(host)}`, {
    kind: 'internal',
    host: host.endpoint.name,
  });
}

/**
 * Polls until the host's sshd answers with a banner on both its address and its
 * 127.0.0.1 port. Throws E_FLEET_HOST_START with the host's output when the host
 * exits first or `deadline` (epoch ms) passes.
 */
export async function waitForHost(host: LaunchedHost, options: { deadline: number }): Promise<void> {
  const { address, port, localPort } = host.endpoint;
  let pause = 20;
  let addressReady = false;
  for (;;) {
    if (host.exit) throw startFailure(host, `exited (code ${host.exit.code}, signal ${host.exit.signal}) before sshd answered`);
    findHostInit(host);
    addressReady ||= await readSshBanner({ address, port });
    if (addressReady && (await readSshBanner({ address: '127.0.0.1', port: localPort }))) break;
    if (Date.now() >= options.deadline) throw startFailure(host, 'did not answer with an SSH banner in time');
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 200);
  }
  if (!findHostInit(host)) throw startFailure(host, 'answers, but its PID 1 was not found');
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
