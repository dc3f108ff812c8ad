/**
 * The SSH Transport: one ssh2 connection per host, reused; every command is an `exec` channel
 * multiplexed over it, at most `maxSessions` at once (queued beyond, to respect sshd's MaxSessions).
 */
import pLimit from 'p-limit';
import type { DroverError } from '../../manifests/errors.js';
import { cancelledError, lostError } from './errors.js';
import { ChannelRun, killCommand, remoteCommand } from './ssh-channel.js';
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
  private readonly pending = new Set<ChannelRun>();
  private lost: DroverError | undefined;
  private closed = false;

  constructor(
    private readonly options: SshOptions,
    private readonly connection: SshConnection,
  ) {
    this.host = options.host;
    this.limit = pLimit(options.maxSessions ?? 8);
    let lastError: Error | undefined;
    connection.client.on('error', (err: Error) => {
      lastError = err;
    });
    connection.client.on('close', () => this.markLost(this.closed ? new Error('transport closed') : lastError));
  }

  get connected(): boolean {
    return this.lost === undefined && !this.closed;
  }

  run(command: string, options: RunOptions = {}): Promise<RunResult> {
    return this.limit(() => this.exec(remoteCommand(command, this.options), options));
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
    for (const run of this.pending) run.fail(this.lost);
    this.pending.clear();
  }

  private exec(command: string, options: RunOptions): Promise<RunResult> {
    return new Promise<RunResult>((resolve, reject) => {
      if (this.lost || this.closed) return reject(this.lost ?? lostError(this.host, new Error('transport closed')));
      if (options.signal?.aborted) return reject(cancelledError(this.host));
      const run: ChannelRun = new ChannelRun({
        host: this.host,
        options,
        resolve: (result) => {
          this.pending.delete(run);
          resolve(result);
        },
        reject: (err) => {
          this.pending.delete(run);
          reject(err);
        },
        killGroup: (pid) => this.killGroup(pid),
      });
      this.pending.add(run);
      this.connection.client.exec(command, (err, channel) => {
        if (err) return run.fail(this.lost ?? lostError(this.host, err));
        run.attach(channel);
      });
    });
  }

  /** Kills a remote process group through its own channel (outside the session limit); never rejects. */
  private killGroup(pid: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.lost || this.closed) return resolve();
      this.connection.client.exec(killCommand(pid, this.options), (err, channel) => {
        if (err) return resolve();
        channel.on('close', () => resolve()).on('error', () => resolve());
        channel.resume();
        channel.stderr.resume();
        channel.end();
      });
    });
  }
}
