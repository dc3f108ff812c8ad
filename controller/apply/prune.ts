/**
 * The removal each clean_* step performs (the steps themselves are planned by plan/clean.ts), done
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
