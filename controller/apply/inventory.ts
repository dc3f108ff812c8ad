/**
 * The inventory of resources drover manages on a host (for pruning): ids of the kinds a clean step can
 * remove safely, one JSON string per line in /var/lib/drover/inventory, written after a successful run.
 */
import type { DesiredState, ResourceKind } from '../../manifests/types.js';

/**
 * Kinds drover prunes when they leave the manifests (settings.prune): files, symlinks, cron entries,
 * sysctl persistence files, and directories only when empty. Packages, users, groups, services, secrets,
 * keys, checkouts and lines are never removed implicitly: doing so can destroy data or other software.
 */
export const PRUNABLE_KINDS: readonly ResourceKind[] = ['file', 'directory', 'symlink', 'cron', 'sysctl'];

/** The ids to record: present resources of the prunable kinds, sorted. */
export function inventoryIds(desired: DesiredState): string[] {
  return desired.resources
    .filter((r) => PRUNABLE_KINDS.includes(r.kind) && r.spec.state !== 'absent')
    .map((r) => r.id)
    .sort();
}

/** The inventory file's content for `desired`. */
export function inventoryContent(desired: DesiredState): string {
  return inventoryIds(desired).map((id) => `${JSON.stringify(id)}\n`).join('');
}
