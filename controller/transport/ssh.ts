/**
 * The SSH Transport: one ssh2 connection per host, reused; every command is an `exec` channel
 * multiplexed over it, at most `maxSessions` at once (queued beyond, to respect sshd's MaxSessions).
 */
import pLimit from 'p-limit';
import type { Client, ClientChannel } from 'ssh2';
import { DroverError } from '../../manifests/errors.js';
import { cancelledError, commandTimeoutError, lostError, signalExitCode } from './errors.js';
import { wrapCommand } from './shell.js';
import { openSshConnection, type SshConnection, type SshOptions } from './ssh-connect.js';
import type { RunOptions, RunResult, Transport, UploadOptions } from './types.js';
import { buildUploadScript, uploadFailure } from './upload-script.js';

export type { SshOptions } from './ssh-connect.js';

/**
 * Connects to the host (see openSshConnection for the errors it rejects with) and returns a
 * Transport over that one connection. Once the connection is lost, every pending and later call
 * rejects with E_CONNECTION_LOST and `connected` is false: make a new Transport (TransportPool does).
 */
export async function connectSsh(options: SshOptions): Promise<Transport> {
  const connection = await openSshConnection(options);
  return new SshTransport(options, connection);
}

class SshTransport implements Transport {
  readonly host: string;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly pending = new Set<(err: DroverError) => void>();
  private lost: DroverError | undefined;
  private closed = false;

  constructor(
    private readonly options: SshOptions,
    private readonly connection: SshConnection,
  ) {
    this.host = options.host;
    this.limit = pLimit(options.maxSessions ?? 8);
    const client = connection.client;
    let lastError: Error | undefined;
    client.on('error', (err: Error) => { lastError = err; });
    client.on('close', () => this.markLost(this.closed ? new Error('transport closed') : lastError));
  }

  get connected(): boolean {
    return this.lost === undefined && !this.closed;
  }

  run(command: string, options: RunOptions = {}): Promise<RunResult> {
    return this.limit(() => this.exec(wrapCommand(command, this.options), options));
  }

  async upload(path: string, content: Buffer, options: UploadOptions): Promise<void> {
    const script = buildUploadScript(path, content, options);
    const result = await this.run(script, { stdin: content });
    if (result.code !== 0) throw uploadFailure({ host: this.host, path, code: result.code, stderr: result.stderr });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const done = new Promise<void>((resolve) => this.connection.client.once('close', () => resolve()));
    this.connection.end();
    if (this.lost === undefined) await done;
  }

  private markLost(err: Error | undefined): void {
    this.lost ??= lostError(this.host, err);
    for (const reject of this.pending) reject(this.lost);
    this.pending.clear();
  }

  private exec(command: string, options: RunOptions): Promise<RunResult> {
    return new Promise<RunResult>((resolve, reject) => {
      if (this.lost || this.closed) return reject(this.lost ?? lostError(this.host, new Error('transport closed')));
      if (options.signal?.aborted) return reject(cancelledError(this.host));
      const guard = new ChannelGuard({ host: this.host, options, resolve, reject, pending: this.pending });
      this.connection.client.exec(command, (err, channel) => {
        if (err) return guard.fail(this.lost ?? lostError(this.host, err));
        guard.attach(channel);
      });
    });
  }
}

/** Collects one exec channel's output and settles once: on close, timeout, abort or connection loss. */
class ChannelGuard {
  private settled = false;
  private channel: ClientChannel | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly onAbort = (): void => this.kill(cancelledError(this.args.host));
  private readonly onLost = (err: DroverError): void => this.fail(err);

  constructor(
    private readonly args: {
      host: string;
      options: RunOptions;
      resolve: (r: RunResult) => void;
      reject: (e: DroverError) => void;
      pending: Set<(err: DroverError) => void>;
    },
  ) {
    const { options } = args;
    args.pending.add(this.onLost);
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      this.timer = setTimeout(() => this.kill(commandTimeoutError(args.host, options.timeoutMs ?? 0)), options.timeoutMs);
    }
  }

  attach(channel: ClientChannel): void {
    this.channel = channel;
    if (this.settled) return this.kill(undefined);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let code = -1;
    channel.on('data', (chunk: Buffer) => stdout.push(chunk));
    channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    channel.on('exit', (status: number | null, signal?: string) => {
      code = status ?? signalExitCode(signal);
    });
    channel.on('close', () => this.settle(() => this.args.resolve({ code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) })));
    channel.on('error', () => undefined);
    channel.end(this.args.options.stdin);
  }

  fail(err: DroverError): void {
    this.settle(() => this.args.reject(err));
  }

  /** Kills the remote process group (sshd delivers the signal with killpg) and closes the channel. */
  private kill(err: DroverError | undefined): void {
    if (this.channel) {
      try {
        sendSignal(this.channel, 'KILL');
        this.channel.close();
      } catch {
        // the connection is already gone; nothing left to kill
      }
    }
    if (err) this.fail(err);
  }

  private settle(action: () => void): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.args.pending.delete(this.onLost);
    this.args.options.signal?.removeEventListener('abort', this.onAbort);
    action();
  }
}

/**
 * Sends a signal request on an exec channel. ssh2's public `channel.signal()` silently does
 * nothing once our side has ended stdin (the stream is no longer writable), which every command
 * does at once; the SSH signal request stays valid until the channel closes, so this goes to the
 * protocol layer directly. sshd delivers it with killpg() as the login user: the whole process
 * group dies (for a `sudo` host, processes now owned by root are out of the user's reach).
 */
function sendSignal(channel: ClientChannel, name: string): void {
  const internal = channel as unknown as {
    _client?: { _protocol?: { signal(id: number, signal: string): void } };
    outgoing?: { id: number; state: string };
  };
  if (internal.outgoing?.state === 'open') internal._client?._protocol?.signal(internal.outgoing.id, name);
  else channel.signal(name);
}
