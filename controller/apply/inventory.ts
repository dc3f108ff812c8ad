/**
 * The inventory of resources drover manages on a host (for pruning): ids of the kinds a clean step can
 * remove safely, one JSON string per line in /var/lib/drover/inventory, written after a successful run.
 */
import { wantsAbsent, type DesiredState } from '../../manifests/types.js';
import { PRUNABLE_KINDS } from '../plan/clean.js';


/** The ids to record: present resources of the prunable kinds, sorted. */
export function inventoryIds(desired: DesiredState): string[] {
  return desired.resources
    .filter((r) => PRUNABLE_KINDS.includes(r.kind) && !wantsAbsent(r))
    .map((r) => r.id)
    .sort();
}

/** The inventory file's content for `desired`. */
export function inventoryContent(desired: DesiredState): string {
  return inventoryIds(desired).map((id) => `${JSON.stringify(id)}\n`).join('');
}
