/**
 * drover's own state on a host (additive to the resource facts): the notifications a failed run left
 * pending (`/var/lib/drover/pending`, one handler id per line) and the inventory of managed resource ids
 * (`/var/lib/drover/inventory`, or `inventory.d/<repository>`; one JSON string per line), both written by apply.
 */
import { decodeHexField, probeOutputError, shellQuote, type ProbeSection } from './common.js';
import { parseUndoneRecord, UNDONE_PATH, type UndoneRun } from './undone.js';

/** Root of drover's own files on a host. */
export const DROVER_STATE_DIR = '/var/lib/drover';
/** Handler ids notified but not yet run, one per line. */
export const PENDING_PATH = `${DROVER_STATE_DIR}/pending`;
/** JSON-encoded ids of the resources drover manages on the host, one per line (of an unnamed repository). */
export const INVENTORY_PATH = `${DROVER_STATE_DIR}/inventory`;

/**
 * The inventory file of the repository named `repository` (settings.repository): one per repository, so
 * repositories that prune on one host never remove each other's resources. Unnamed: INVENTORY_PATH.
 */
export function inventoryPath(repository: string | undefined): string {
  return repository === undefined ? INVENTORY_PATH : `${DROVER_STATE_DIR}/inventory.d/${repository}`;
}
/** Section name of drover's state in the probe. */
export const DROVER_STATE_SECTION = 'drover';

const MAX_BYTES = 4 << 20;

/**
 * The fragment: `ds pending x<hex>` / `ds inventory x<hex>` (the first MAX_BYTES bytes) for the files that
 * exist. The record is printed in pieces around one `od | tr` pipeline (no command substitution, no `head`):
 * two processes per file instead of four.
 */
export function droverStateFragment(inventory: string = INVENTORY_PATH): string {
  return [
    `for _f in pending:${PENDING_PATH} inventory:${shellQuote(inventory)} undone:${UNDONE_PATH}; do _n=\${_f%%:*}; _f=\${_f#*:}; if [ -f "$_f" ]; then`,
    `  printf '%s ds %s x' "$_T" "$_n"; od -An -tx1 -v -N ${MAX_BYTES} < "$_f" | tr -d ' \\n'; echo`,
    'fi; done',
  ].join('\n');
}

/** Parses inventory text: one JSON string per line; lines that are not one are ignored. */
export function parseInventory(text: string): string[] {
  const ids: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const id: unknown = JSON.parse(line);
      if (typeof id === 'string') ids.push(id);
    } catch {
      // a damaged line names nothing drover may prune
    }
  }
  return ids;
}

/** What the drover section says: pending handler ids (in file order, without duplicates), the inventory, the lockout guard's last undo. */
export function parseDroverState(section: ProbeSection): { pending?: string[]; inventory?: string[]; undone?: UndoneRun } {
  const out: { pending?: string[]; inventory?: string[]; undone?: UndoneRun } = {};
  for (const record of section.records) {
    if (record.tag !== 'ds') throw probeOutputError(section.name, `unknown record "${record.tag}"`);
    const text = decodeHexField(section.name, record.fields[1]);
    if (record.fields[0] === 'pending') out.pending = [...new Set(text.split('\n').filter((l) => l !== ''))];
    else if (record.fields[0] === 'inventory') out.inventory = parseInventory(text);
    else if (record.fields[0] === 'undone') {
      const undone = parseUndoneRecord(text);
      if (undone) out.undone = undone;
    }
    else throw probeOutputError(section.name, `unknown state file ${JSON.stringify(record.fields[0])}`);
  }
  return out;
}
