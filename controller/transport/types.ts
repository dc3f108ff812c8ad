/**
 * How drover reaches a host. One Transport per host, reused across commands.
 * Implementations: ssh (ssh2) and local (child_process). Failures are DroverErrors with
 * the codes below and `host` set.
 */

export const TransportErrorCodes = {
  refused: 'E_CONNECT_REFUSED',
  timeout: 'E_CONNECT_TIMEOUT',
  auth: 'E_AUTH',
  hostKeyUnknown: 'E_HOST_KEY_UNKNOWN',
  hostKeyMismatch: 'E_HOST_KEY_MISMATCH',
  lost: 'E_CONNECTION_LOST',
  commandTimeout: 'E_COMMAND_TIMEOUT',
  cancelled: 'E_CANCELLED',
  unreachable: 'E_UNREACHABLE',
  /** SSH handshake failed for another reason than the host key (no common algorithm, bad banner). */
  protocol: 'E_SSH_PROTOCOL',
  /** Upload script failed on the host (permission, missing directory, unknown owner, short read). */
  uploadFailed: 'E_UPLOAD_FAILED',
  /** Upload cut short (short read, the shell killed): may pass on a retry. */
  uploadCut: 'E_UPLOAD_CUT',
  /** Upload arguments refused before anything was sent (relative path, bad mode). */
  uploadInvalid: 'E_UPLOAD_INVALID',
} as const;

export interface RunOptions {
  /** Bytes written to the command's stdin, then stdin is closed. */
  stdin?: string | Buffer;
  /** Kill the command and reject with E_COMMAND_TIMEOUT after this long. */
  timeoutMs?: number;
  /** Abort the command (rejects with E_CANCELLED). */
  signal?: AbortSignal;
}

export interface RunResult {
  /** Exit status; a command killed by a signal reports 128 + signal number or -1. */
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

export interface UploadOptions {
  /** Octal string, e.g. "0640". */
  mode: string;
  owner?: string;
  group?: string;
}

export interface Transport {
  readonly host: string;
  /**
   * False once the underlying connection is gone (closed, reset, keepalive timeout), so a pool
   * can reconnect before the next use. Absent means "assume usable".
   */
  readonly connected?: boolean;
  /**
   * Runs a POSIX sh command line on the host (through `sudo -n sh -c` when the host uses sudo).
   * Resolves with the exit status (non-zero is not an error); rejects only on transport failures.
   */
  run(command: string, options?: RunOptions): Promise<RunResult>;
  /**
   * Writes `content` to `path` atomically: temp file in the same directory, mode/owner set
   * before the content lands, fsync, rename. The old file or the new one, never a partial one.
   */
  upload(path: string, content: Buffer, options: UploadOptions): Promise<void>;
  /** Closes the connection; idempotent. */
  close(): Promise<void>;
}
