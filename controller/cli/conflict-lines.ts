import type { ResourceConflict } from '../daemon/state/conflicts.js';

/**
 * The lines `drover hosts` prints under its table for resources in Conflict, one per resource:
 * `web1: file:/etc/motd in Conflict since ISO (3 repairs: HH:MM:SS, ...): message`.
 */
export function conflictLines(hosts: readonly { host: string; conflicts?: readonly ResourceConflict[] }[]): string[] {
  return hosts.flatMap((h) => (h.conflicts ?? []).map((c) => {
    const times = c.repairs.map((r) => new Date(r.at).toISOString().slice(11, 19)).join(', ');
    const repairs = `${c.repairs.length} repair${c.repairs.length === 1 ? '' : 's'}: ${times}`;
    return `${h.host}: ${c.resource} in Conflict since ${new Date(c.since).toISOString()} (${repairs}): ${c.code}: ${c.message}`;
  }));
}
