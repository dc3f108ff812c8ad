/**
 * The sh script behind Transport.upload, shared by the ssh and local transports. It receives the
 * content on stdin and installs it atomically:
 * temp file `.drover-tmp.XXXXXX` in the target's own directory (so the final rename stays on one
 * filesystem), created under umask 077, mode and owner set before any content lands, content
 * streamed with `cat`, length and sha256 verified (a connection that dies mid-transfer gives `cat`
 * an early EOF, never a partial target), fsync where `sync FILE` is supported, then `mv -f`.
 * Any failure or signal removes the temp file; the target stays the old file.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { DroverError } from '../../manifests/errors.js';
import { shellQuote } from './shell.js';
import { TransportErrorCodes, type UploadOptions } from './types.js';

/** Exit status of the script when the received content does not match (truncated stdin). */
export const UPLOAD_SHORT_EXIT = 75;

/**
 * Builds the upload script for `path` (absolute) and `content`. Throws DroverError
 * E_UPLOAD_INVALID (stalled) for a relative path, a bad mode or an empty owner/group.
 */
export function buildUploadScript(path: string, content: Buffer, options: UploadOptions): string {
  validateUpload(path, options);
  const dir = posix.dirname(path);
  const sha = createHash('sha256').update(content).digest('hex');
  const lines = [
    `p=${shellQuote(path)}; d=${shellQuote(dir)}`,
    `if [ -d "$p" ] && [ ! -L "$p" ]; then echo "drover: $p is a directory" >&2; exit 1; fi`,
    'umask 077',
    'tmp=$(mktemp "$d/.drover-tmp.XXXXXX") || exit 1',
    `trap 'rm -f "$tmp"' EXIT`,
    `trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 141' PIPE; trap 'exit 143' TERM`,
    `chmod ${options.mode} "$tmp" || exit 1`,
    ...ownerLines(options),
    'cat > "$tmp" || exit 1',
    `n=$(wc -c < "$tmp" | tr -d ' ')`,
    `if [ "$n" != ${content.length} ]; then echo "drover: received $n of ${content.length} bytes" >&2; exit ${UPLOAD_SHORT_EXIT}; fi`,
    'if command -v sha256sum >/dev/null 2>&1; then',
    `  s=$(sha256sum < "$tmp" | cut -c1-64); [ "$s" = ${sha} ] || { echo "drover: sha256 mismatch" >&2; exit ${UPLOAD_SHORT_EXIT}; }`,
    'fi',
    'sync "$tmp" 2>/dev/null',
    'mv -f "$tmp" "$p" || exit 1',
    `trap - EXIT`,
    'sync "$d" 2>/dev/null',
    'exit 0',
  ];
  return lines.join('\n');
}

function ownerLines(options: UploadOptions): string[] {
  if (options.owner !== undefined) {
    const spec = options.group !== undefined ? `${options.owner}:${options.group}` : options.owner;
    return [`chown ${shellQuote(spec)} "$tmp" || exit 1`];
  }
  if (options.group !== undefined) return [`chgrp ${shellQuote(options.group)} "$tmp" || exit 1`];
  return [];
}

function validateUpload(path: string, options: UploadOptions): void {
  const fail = (why: string): never => {
    throw new DroverError(TransportErrorCodes.uploadInvalid, `upload ${JSON.stringify(path)}: ${why}`);
  };
  if (!path.startsWith('/') || path.endsWith('/')) fail('target path must be absolute and name a file');
  if (!/^0?[0-7]{3,4}$/.test(options.mode)) fail(`mode ${JSON.stringify(options.mode)} is not an octal mode`);
  for (const name of [options.owner, options.group]) {
    if (name !== undefined && (name === '' || name.includes(':') || name.includes('\n'))) fail(`bad owner/group ${JSON.stringify(name)}`);
  }
}

/**
 * Turns a failed upload script (non-zero exit) into DroverError E_UPLOAD_FAILED with the host and
 * the script's stderr. A short read (connection died mid-transfer) is `transient`; anything else
 * (permission denied, missing directory, unknown owner) is `stalled`.
 */
export function uploadFailure(options: { host: string; path: string; code: number; stderr: Buffer }): DroverError {
  const detail = options.stderr.toString('utf8').trim().split('\n').slice(-3).join('; ') || `exit ${options.code}`;
  // Cut short (a short read, a killed shell) may pass on a retry; a refusal (permissions, owner) needs a human.
  const cut = options.code === UPLOAD_SHORT_EXIT || options.code > 128;
  return new DroverError(cut ? TransportErrorCodes.uploadCut : TransportErrorCodes.uploadFailed, `${options.host}: upload of ${JSON.stringify(options.path)} failed: ${detail}`, {
    host: options.host,
  });
}
