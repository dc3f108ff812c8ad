/**
 * One command on an SSH exec channel: output collection, stdin, and killing the remote process
 * group on timeout or abort.
 *
 * Why a pid marker: sshd refuses the SSH "signal" channel request for sessions without privilege
 * separation (every root login), and closing a channel does not stop a pty-less command. So each
 * command first reports its pid on stderr (`drover-pid:N`, stripped from the result); sshd made
 * that process a session and process group leader (setsid), and a kill of the group through a
 * second channel ends the command with all its children.
 */
import type { ClientChannel } from 'ssh2';
import type { DroverError } from '../../manifests/errors.js';
import { cancelledError, commandTimeoutError, signalExitCode } from './errors.js';
import { wrapCommand } from './shell.js';
import type { RunOptions, RunResult } from './types.js';

const MARKER = 'drover-pid:';
/** Output the login shell may print before the marker (a noisy .bashrc) is kept, up to this much. */
const MARKER_WINDOW = 64 * 1024;

/** The command line sent to sshd: report the pid, then exec `sh -c COMMAND` (or `sudo -n sh -c`). */
export function remoteCommand(command: string, options: { sudo?: boolean }): string {
  return `printf '${MARKER}%s\\n' "$$" >&2; exec ${wrapCommand(command, options)}`;
}

/** The command line that kills process group `pid` (with sudo when the host uses it); dash's kill refuses `--`. */
export function killCommand(pid: number, options: { sudo?: boolean }): string {
  return wrapCommand(`kill -KILL -${pid} 2>/dev/null || kill -KILL ${pid}`, options);
}

/**
 * Finds the pid marker line in the first bytes of stderr. Returns the pid and stderr without the
 * marker line, or undefined while the line is not complete yet.
 */
export function splitPidMarker(stderr: Buffer): { pid: number; rest: Buffer } | undefined {
  const at = stderr.indexOf(MARKER);
  if (at < 0 || (at > 0 && stderr[at - 1] !== 0x0a)) return undefined;
  const end = stderr.indexOf(0x0a, at);
  if (end < 0) return undefined;
  const pid = Number(stderr.subarray(at + MARKER.length, end).toString('latin1'));
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, rest: Buffer.concat([stderr.subarray(0, at), stderr.subarray(end + 1)]) };
}

/** Settles one run exactly once: on channel close, timeout, abort or connection loss. */
export class ChannelRun {
  private settled = false;
  private channel: ClientChannel | undefined;
  private pid: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly onAbort = (): void => void this.kill(cancelledError(this.args.host));

  constructor(
    private readonly args: {
      host: string;
      options: RunOptions;
      resolve: (result: RunResult) => void;
      reject: (err: DroverError) => void;
      /** Kills the remote process group; must not reject. */
      killGroup: (pid: number) => Promise<void>;
    },
  ) {
    const { options } = args;
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    const ms = options.timeoutMs;
    if (ms !== undefined) this.timer = setTimeout(() => void this.kill(commandTimeoutError(args.host, ms)), ms);
  }

  /** Wires the opened channel: collects output, writes stdin, resolves on close. */
  attach(channel: ClientChannel): void {
    this.channel = channel;
    if (this.settled) return void channel.close();
    const stdout: Buffer[] = [];
    let stderr: Buffer = Buffer.alloc(0);
    let code = -1;
    channel.on('data', (chunk: Buffer) => stdout.push(chunk));
    channel.stderr.on('data', (chunk: Buffer) => {
      stderr = Buffer.concat([stderr, chunk]);
      if (this.pid !== undefined || stderr.length > MARKER_WINDOW) return;
      const found = splitPidMarker(stderr);
      if (found) [this.pid, stderr] = [found.pid, found.rest];
    });
    channel.on('exit', (status: number | null, signal?: string) => {
      code = status ?? signalExitCode(signal);
    });
    channel.on('close', () => this.settle(() => this.args.resolve({ code, stdout: Buffer.concat(stdout), stderr })));
    channel.on('error', () => undefined);
    channel.end(this.args.options.stdin);
  }

  /** Rejects with `err` (connection lost, channel open failure). */
  fail(err: DroverError): void {
    this.settle(() => this.args.reject(err));
  }

  private async kill(err: DroverError): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    if (this.pid !== undefined) await this.args.killGroup(this.pid);
    this.channel?.close();
    this.cleanup();
    this.args.reject(err);
  }

  private settle(action: () => void): void {
    if (this.settled) return;
    this.settled = true;
    this.cleanup();
    action();
  }

  private cleanup(): void {
    clearTimeout(this.timer);
    this.args.options.signal?.removeEventListener('abort', this.onAbort);
  }
}
