/**
 * clean_* steps (settings.prune): resources that an earlier successful run recorded in the host's
 * inventory and that the manifests no longer declare. Only the prunable kinds are ever listed, so
 * nothing outside drover's inventory is touched; the apply module turns each step into its removal.
 */
import type { DesiredState, ResourceKind } from '../../manifests/types.js';
import type { ObservedState } from '../facts/types.js';
import { slug } from './naming.js';
import type { PlanStep } from './types.js';

/**
 * Kinds drover prunes when they leave the manifests (settings.prune): files, symlinks, cron entries,
 * sysctl persistence files, and directories only when empty. Packages, users, groups, services, secrets,
 * keys, checkouts and lines are never removed implicitly: doing so can destroy data or other software.
 */
export const PRUNABLE_KINDS: readonly ResourceKind[] = ['file', 'directory', 'symlink', 'cron', 'sysctl'];

/** Splits an inventory id into kind and key; undefined unless the kind is prunable. */
export function splitPrunableId(id: string): { kind: ResourceKind; key: string } | undefined {
  const colon = id.indexOf(':');
  const kind = id.slice(0, colon) as ResourceKind;
  return colon > 0 && PRUNABLE_KINDS.includes(kind) ? { kind, key: id.slice(colon + 1) } : undefined;
}

/** Ids in the host's inventory that the desired state no longer declares (prunable kinds, absolute paths or plain keys). */
export function staleIds(desired: DesiredState, observed: ObservedState): string[] {
  const declared = new Set(desired.resources.map((r) => r.id));
  return (observed.inventory ?? []).filter((id) => {
    const parts = splitPrunableId(id);
    if (parts === undefined || declared.has(id)) return false;
    return parts.kind === 'cron' || parts.kind === 'sysctl' || (parts.key.startsWith('/') && parts.key !== '/');
  });
}

function cleanStep(id: string, kind: ResourceKind, host: string, used: Set<string>): PlanStep {
  const base = `clean_${slug(id)}`;
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
  used.add(name);
  return {
    name, phase: 'clean', group: `setup_${slug(host)}`, resource: id, kind, action: 'delete',
    reasons: [`${id} is no longer declared (prune)`], notifies: [],
  };
}

/**
 * `steps` with a clean step (action delete) for each stale inventory id, inserted before the first
 * handler or test step; `steps` unchanged when settings.prune is off or nothing is stale.
 */
export function withCleanSteps(desired: DesiredState, observed: ObservedState, steps: readonly PlanStep[]): PlanStep[] {
  if (!desired.settings.prune) return [...steps];
  const stale = staleIds(desired, observed);
  if (stale.length === 0) return [...steps];
  const used = new Set(steps.map((s) => s.name));
  const clean = stale.map((id) => cleanStep(id, splitPrunableId(id)!.kind, desired.host.name, used));
  const at = steps.findIndex((s) => s.phase === 'handler' || s.phase === 'test');
  const cut = at < 0 ? steps.length : at;
  return [...steps.slice(0, cut), ...clean, ...steps.slice(cut)];
}
