/**
 * The local Transport (host `localhost`): commands run with child_process under `sh -c`
 * (or `sudo -n sh -c`), each in its own process group so a timeout or abort kills the whole
 * group. Uploads use the same atomic script as the SSH transport.
 */
import { spawn } from 'node:child_process';
import type { DroverError } from '../../manifests/errors.js';
import { cancelledError, commandTimeoutError, lostError, signalExitCode, transportError } from './errors.js';
import type { RunOptions, RunResult, Transport, UploadOptions } from './types.js';
import { buildUploadScript, uploadFailure } from './upload-script.js';

/** Options of createLocalTransport. */
export interface LocalTransportOptions {
  /** Name in errors; default `localhost`. */
  host?: string;
  /** Run commands through `sudo -n sh -c`. */
  sudo?: boolean;
}

/**
 * Returns a Transport that runs commands on this machine. Same contract as the SSH transport:
 * non-zero exits resolve; timeouts reject with E_COMMAND_TIMEOUT after killing the process group,
 * aborts with E_CANCELLED; calls after close() reject with E_CONNECTION_LOST.
 */
export function createLocalTransport(options: LocalTransportOptions = {}): Transport {
  const host = options.host ?? 'localhost';
  let closed = false;
  const transport: Transport = {
    host,
    get connected() {
      return !closed;
    },
    run(command, runOptions = {}) {
      if (closed) return Promise.reject(lostError(host, new Error('transport closed')));
      return runLocal({ host, command, sudo: options.sudo ?? false, options: runOptions });
    },
    async upload(path: string, content: Buffer, uploadOptions: UploadOptions) {
      const result = await transport.run(buildUploadScript(path, content, uploadOptions), { stdin: content });
      if (result.code !== 0) throw uploadFailure({ host, path, code: result.code, stderr: result.stderr });
    },
    async close() {
      closed = true;
    },
  };
  return transport;
}

function runLocal(args: { host: string; command: string; sudo: boolean; options: RunOptions }): Promise<RunResult> {
  const { host, options } = args;
  if (options.signal?.aborted) return Promise.reject(cancelledError(host));
  const argv = args.sudo ? ['sudo', '-n', 'sh', '-c', args.command] : ['sh', '-c', args.command];
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(argv[0] ?? 'sh', argv.slice(1), { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let settled = false;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      action();
    };
    const killGroup = (err: DroverError): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      settle(() => reject(err));
    };
    const onAbort = (): void => killGroup(cancelledError(host));
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => killGroup(commandTimeoutError(host, options.timeoutMs ?? 0)), options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => undefined);
    child.on('error', (err) => settle(() => reject(transportError({ host, code: 'E_HOST_UNSUPPORTED', reason: `cannot start ${argv[0]}: ${err.message}`, cause: err }))));
    child.on('close', (code, signal) => {
      const status = code ?? signalExitCode(signal);
      settle(() => resolve({ code: status, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) }));
    });
    child.stdin.end(options.stdin);
  });
}
