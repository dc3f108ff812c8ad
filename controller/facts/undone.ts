/**
 * The lockout guard's record on a host (docs/design.md "Lockout guard"): `/var/lib/drover/undone`, written
 * atomically by the watchdog after it undid a run nobody confirmed, read by the next probe (and by the
 * confirm command), and removed by the next run that changes something. Lines `key value`:
 *   id <guard id>, label x<hex>, within <s>, armed <epoch s>, ended <epoch s>, undone <epoch s>,
 *   restored x<hex path> | removed x<hex path> | failed x<hex path>, handler x<hex step name> <exit status>
 * Pure: parsing only.
 */

/** Root of drover's own files on a host (the same as DROVER_STATE_DIR; kept here so this module imports nothing). */
const STATE_DIR = '/var/lib/drover';

/** The armed guard of the run holding the apply lock: its journal, watchdog and marks (one at a time per host). */
export const GUARD_DIR = `${STATE_DIR}/guard`;

/** The record of the last run the watchdog undid. */
export const UNDONE_PATH = `${STATE_DIR}/undone`;

/** What the watchdog did to a run that was not confirmed in time. Times are epoch ms (host clock). */
export interface UndoneRun {
  /** The guard's id, chosen by the controller that applied the run. */
  id: string;
  /** What the run applied (the controller's revision name, or `local`). */
  label: string;
  /** confirmWithin the run was armed with, in seconds. */
  withinSeconds: number;
  armedAt: number;
  endedAt: number;
  undoneAt: number;
  /** Files put back as they were before the run, removed (the run created them), or that could not be put back. */
  restored: string[];
  removed: string[];
  notRestored: string[];
  /** Handlers run again after the files were put back, with their exit status. */
  handlers: { step: string; exitCode: number }[];
}

/** Parses the record; undefined when it lacks an id (a damaged or foreign file is not a lockout). */
export function parseUndoneRecord(text: string): UndoneRun | undefined {
  const out: UndoneRun = { id: '', label: '', withinSeconds: 0, armedAt: 0, endedAt: 0, undoneAt: 0, restored: [], removed: [], notRestored: [], handlers: [] };
  for (const line of text.split('\n')) {
    const [key, value = '', extra] = line.split(' ');
    switch (key) {
      case 'id': out.id = value; break;
      case 'label': out.label = hex(value); break;
      case 'within': out.withinSeconds = Number(value) || 0; break;
      case 'armed': out.armedAt = seconds(value); break;
      case 'ended': out.endedAt = seconds(value); break;
      case 'undone': out.undoneAt = seconds(value); break;
      case 'restored': addOnce(out.restored, hex(value)); break;
      case 'removed': addOnce(out.removed, hex(value)); break;
      case 'failed': addOnce(out.notRestored, hex(value)); break;
      case 'handler': out.handlers.push({ step: hex(value), exitCode: Number(extra) || 0 }); break;
      default: break;
    }
  }
  return /^[0-9a-f]{8,64}$/.test(out.id) ? out : undefined;
}

/** One line saying what the watchdog did, for reasons and logs. */
export function describeUndone(undone: UndoneRun): string {
  const files = [
    undone.restored.length > 0 && `put back ${undone.restored.join(', ')}`,
    undone.removed.length > 0 && `removed ${undone.removed.join(', ')}`,
    undone.notRestored.length > 0 && `could NOT put back ${undone.notRestored.join(', ')}`,
  ].filter(Boolean).join('; ');
  const handlers = undone.handlers.map((h) => `${h.step}${h.exitCode === 0 ? '' : ` (exit ${h.exitCode})`}`).join(', ');
  const at = undone.undoneAt > 0 ? new Date(undone.undoneAt).toISOString() : 'an unknown time';
  return `the host undid the run of ${undone.label || 'an unknown revision'} at ${at}, not confirmed within ${undone.withinSeconds}s`
    + `${files ? `: ${files}` : ''}${handlers ? `; ran again ${handlers}` : ''}`;
}

function hex(value: string): string {
  const digits = value.startsWith('x') ? value.slice(1) : value;
  return /^(?:[0-9a-f]{2})*$/.test(digits) ? Buffer.from(digits, 'hex').toString('utf8') : '';
}

function seconds(value: string): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n * 1000 : 0;
}

function addOnce(list: string[], value: string): void {
  if (value !== '' && !list.includes(value)) list.push(value);
}
