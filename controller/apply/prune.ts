/**
 * clean_* steps (settings.prune): resources recorded in the host's inventory by an earlier successful
 * run and no longer declared are removed, conservatively: a file only while it is a regular file (backed
 * up first), a symlink only while it is a symlink, a directory only when empty, a cron entry's file, a
 * sysctl key's persistence file (the live value is left). Nothing outside the inventory is ever touched.
 */
import type { DesiredState, ResourceKind } from '../../manifests/types.js';
import { cronPath } from '../facts/cron.js';
import { sysctlPersistPath } from '../facts/sysctl.js';
import type { ObservedState } from '../facts/types.js';
import { slug } from '../plan/naming.js';
import type { PlanStep } from '../plan/types.js';
import { backupIndexName } from './actions/checks.js';
import { lines, q } from './actions/common.js';
import { PRUNABLE_KINDS } from './inventory.js';
import { UNCHANGED_EXIT } from './sh-lib.js';
import type { ActionScript } from './types.js';

function split(id: string): { kind: ResourceKind; key: string } | undefined {
  const colon = id.indexOf(':');
  const kind = id.slice(0, colon) as ResourceKind;
  return colon > 0 && PRUNABLE_KINDS.includes(kind) ? { kind, key: id.slice(colon + 1) } : undefined;
}

/** Ids in the host's inventory that the desired state no longer declares (only prunable kinds with absolute paths or plain keys). */
export function staleIds(desired: DesiredState, observed: ObservedState): string[] {
  const declared = new Set(desired.resources.map((r) => r.id));
  return (observed.inventory ?? []).filter((id) => {
    const parts = split(id);
    if (parts === undefined || declared.has(id)) return false;
    return parts.kind === 'cron' || parts.kind === 'sysctl' || (parts.key.startsWith('/') && parts.key !== '/');
  });
}

/** The sh text of the clean step of `id` (an id staleIds returned). */
export function cleanAction(id: string, backups: number): ActionScript {
  const { kind, key } = split(id)!;
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

/** A clean step: not in the desired state, action delete (script.ts builds it with cleanAction). */
function cleanStep(id: string, host: string, used: Set<string>): PlanStep {
  const base = `clean_${slug(id)}`;
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
  used.add(name);
  const { kind } = split(id)!;
  return {
    name, phase: 'install', group: `setup_${slug(host)}`, resource: id, kind, action: 'delete',
    reasons: [`${id} is no longer declared (prune)`], notifies: [],
  };
}

/**
 * `steps` with a clean step for each stale inventory id inserted before the first handler or test step;
 * `steps` unchanged when settings.prune is off or the host has no inventory.
 */
export function withCleanSteps(desired: DesiredState, observed: ObservedState, steps: readonly PlanStep[]): PlanStep[] {
  if (!desired.settings.prune) return [...steps];
  const stale = staleIds(desired, observed);
  if (stale.length === 0) return [...steps];
  const used = new Set(steps.map((s) => s.name));
  const clean = stale.map((id) => cleanStep(id, desired.host.name, used));
  const at = steps.findIndex((s) => s.phase === 'handler' || s.phase === 'test');
  const cut = at < 0 ? steps.length : at;
  return [...steps.slice(0, cut), ...clean, ...steps.slice(cut)];
}
