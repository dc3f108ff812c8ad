/**
 * The removal each clean_* and purge_* step performs (the steps are planned by plan/clean.ts and purge.ts), done
 * conservatively: a file only while it is a regular file (backed up first), a symlink only while it is
 * a symlink, a directory only when empty, a cron entry's file, a sysctl key's persistence file (the
 * live value is left).
 */
import { cronPath } from '../facts/cron.js';
import { sysctlPersistPath } from '../facts/sysctl.js';
import { splitPrunableId } from '../plan/clean.js';
import { backupIndexName } from './actions/checks.js';
import { lines, q } from './actions/common.js';
import { UNCHANGED_EXIT } from './sh-lib.js';
import type { ActionScript } from './types.js';

/** The sh text of the clean step of `id` (an id plan/clean.ts staleIds returned). */
export function cleanAction(id: string, backups: number): ActionScript {
  const { kind, key } = splitPrunableId(id)!;
  const p = q(kind === 'cron' ? cronPath(key) : kind === 'sysctl' ? sysctlPersistPath(key) : key);
  switch (kind) {
    case 'directory':
      return { script: `if _isdir ${p}; then rmdir -- ${p} 2>/dev/null || exit ${UNCHANGED_EXIT}; else exit ${UNCHANGED_EXIT}; fi` };
    case 'symlink':
      return { script: `if [ -L ${p} ]; then _undo ${p}; rm -f -- ${p}; else exit ${UNCHANGED_EXIT}; fi` };
    default:
      return { script: lines(
        `_reg ${p} || exit ${UNCHANGED_EXIT}`,
        kind === 'file' && `_backup ${p} ${Math.max(1, backups)} ${backupIndexName(key)}`,
        `_rmfile ${p}`,
      ) };
  }
}

/**
 * The sh text of a purge_ step (plan/purge.ts): the undeclared entry of an owned directory goes, a file
 * kept in the backup store first (`keep` revisions), a symlink's target recorded; both are listed for
 * `restore_dir_*` (purgedRestoreAction). Reports unchanged when the entry is gone or changed type.
 */
export function purgeAction(entry: { path: string; type: 'file' | 'symlink' }, dir: string, backups: number): ActionScript {
  return { script: `_purge ${q(entry.path)} ${entry.type === 'symlink' ? 'l' : 'f'} ${Math.max(1, backups)} ${backupIndexName(entry.path)} ${backupIndexName(dir)}` };
}

/** restore_dir_*: puts back every entry purged from `dir` that is still absent (files from the backup store). */
export function purgedRestoreAction(dir: string): ActionScript {
  return { script: `_unpurge ${backupIndexName(dir)} ${q(dir)}` };
}
