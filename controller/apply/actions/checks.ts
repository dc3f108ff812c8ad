/**
 * test_* steps (run on the host after apply), backup_* steps and restore_* scripts.
 */
import { createHash } from 'node:crypto';
import type { DesiredTest } from '../../../manifests/types.js';
import type { ActionScript } from '../types.js';
import { fail, lines, q } from './common.js';

const TEST_TIMEOUT_SEC = 10;

/** sh exiting 0 when TCP host:port accepts a connection: `nc -z`, else bash's /dev/tcp; fails clearly without either. */
function tcpCheck(host: string, port: number): string {
  const target = `${host}:${port}`;
  return lines(
    `if command -v nc >/dev/null 2>&1; then _tc() { nc -z -w ${TEST_TIMEOUT_SEC} "$@"; }`,
    `elif command -v bash >/dev/null 2>&1; then _tc() { _tmo ${TEST_TIMEOUT_SEC} bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$@"; }`,
    `else ${fail('neither nc nor bash is on the host to check a TCP port')}; fi`,
    `_tc ${q(host)} ${port} 2>/dev/null || ${fail(`TCP ${target} is not open`)}`,
  );
}

/** sh exiting 0 when `url` answers HTTP `status`: curl, else wget; fails clearly without either. */
function httpCheck(url: string, status: number): string {
  const u = q(url);
  return lines(
    `if command -v curl >/dev/null 2>&1; then _c=$(curl -s -o /dev/null -m ${TEST_TIMEOUT_SEC} -w '%{http_code}' -- ${u} || :)`,
    `elif command -v wget >/dev/null 2>&1; then _c=$(wget -q -S -O /dev/null -T ${TEST_TIMEOUT_SEC} -t 1 -- ${u} 2>&1 | awk '$1 ~ /^HTTP\\// { c = $2 } END { print c }')`,
    `else ${fail('neither curl nor wget is on the host to check HTTP')}; fi`,
    `[ "$_c" = ${status} ] || { printf 'drover: %s answered HTTP %s, expected ${status}\\n' ${u} "\${_c:-nothing}" >&2; exit 1; }`,
  );
}

/** A role test: command exit status (run with sh, 60 s cap), TCP port open, or HTTP status, checked from the host. */
export function testAction(test: DesiredTest): ActionScript {
  if (test.http) return { script: httpCheck(test.http.url, test.http.status) };
  if (test.tcp) return { script: tcpCheck(test.tcp.host, test.tcp.port) };
  return { script: `_tmo 60 sh -c ${q(test.command ?? 'true')}` };
}

/** Name of a path's revision list in the backup store: sha256 of the path. */
export function backupIndexName(path: string): string {
  return createHash('sha256').update(path, 'utf8').digest('hex');
}

/**
 * backup_*: copies the file's current content into /var/lib/drover/backups/<sha256> (once per content)
 * and appends `<sha256> <mode> <uid> <gid> <epoch>` to the path's index, keeping the last `keep` revisions;
 * blobs no index refers to any more are removed.
 */
export function backupAction(path: string, keep: number): ActionScript {
  return { script: `_backup ${q(path)} ${Math.max(1, Math.floor(keep))} ${backupIndexName(path)}` };
}

/**
 * restore_*: puts revision `revision` (1 = the latest backup) of `path` back, with its mode and owner,
 * atomically. Fails clearly when the store has no such revision.
 */
export function restoreAction(path: string, revision = 1): ActionScript {
  return { script: `_restore_backup ${q(path)} ${backupIndexName(path)} ${Math.max(1, Math.floor(revision))}` };
}

/**
 * restore_* without a revision: puts `path` back as it was before drover first changed it (content, mode and
 * owner from the pristine copy), or removes it when drover created it. Fails clearly when there is no pristine
 * copy (drover never changed the file on this host).
 */
export function restorePristineAction(path: string): ActionScript {
  return { script: `_restore_pristine ${q(path)}` };
}
