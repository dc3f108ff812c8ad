/**
 * `drover explain HOST`: why a host is where it is, as text. Pure: the explanation comes in (from a
 * running controller or a state directory) and lines come out; times print as ISO 8601 UTC.
 */
import type { BlockedBy } from '../daemon/state/blocked-by.js';
import type { ResourceConflict } from '../daemon/state/conflicts.js';
import type { HostStatus, RunRecord } from '../daemon/state/records.js';
import type { DroverEvent } from '../daemon/report/events.js';
import { renderTable } from './table.js';

/** What `drover explain` knows of a host. */
export interface Explanation {
  host: string;
  status: HostStatus;
  reason: string;
  blockedBy?: BlockedBy;
  /** The newest good revision (where the host should be), when there is one. */
  desiredRevision?: string;
  lastAppliedRevision?: string;
  lastError?: { code: string; message: string; step?: string; at: number };
  /** Resources self-heal is paused for (drift that fights back). */
  conflicts?: Pick<ResourceConflict, 'resource' | 'code' | 'message' | 'since' | 'repairs'>[];
  /** Set while the host needs a reboot drover has not done. */
  rebootRequired?: { reasons: string[]; action: string; since: number };
  /** Runs, newest first. */
  history: RunRecord[];
  /** Event log entries about the host, newest first. */
  events: DroverEvent[];
  /** Where it was read from: a controller URL or a state directory. */
  from: string;
}

const iso = (ms: number | undefined): string => (ms === undefined ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

/** The explanation as lines: a summary, the cause, then the runs and the events that led there. */
export function renderExplanation(e: Explanation, limits: { runs: number; events: number }): string {
  const lines = [`${e.host}: ${e.status}  (from ${e.from})`];
  lines.push(`  why:        ${e.blockedBy ? `${e.blockedBy.reason} [${e.blockedBy.kind}]` : e.status === 'Synced' ? `on the newest good revision ${e.desiredRevision ?? '-'}` : e.reason}`);
  if (e.blockedBy && e.reason !== e.blockedBy.reason) lines.push(`  status:     ${e.reason}`);
  lines.push(`  applied:    ${e.lastAppliedRevision ?? '(nothing yet)'}`);
  lines.push(`  newest:     ${e.desiredRevision ?? '(no good revision yet)'}`);
  if (e.lastError) lines.push(`  last error: ${e.lastError.code}${e.lastError.step ? ` at ${e.lastError.step}` : ''} (${iso(e.lastError.at)}): ${e.lastError.message}`);
  for (const c of e.conflicts ?? []) lines.push(`  conflict:   ${c.resource} since ${iso(c.since)} after ${c.repairs.length} repairs (${c.code}): ${c.message}`);
  if (e.rebootRequired) lines.push(`  reboot:     required since ${iso(e.rebootRequired.since)} (${e.rebootRequired.action}): ${e.rebootRequired.reasons.join('; ')}`);
  const runs = e.history.slice(0, limits.runs);
  lines.push('', runs.length ? `runs (newest first, ${runs.length} of ${e.history.length}):` : 'runs: none recorded');
  if (runs.length) {
    const table = renderTable(['STARTED', 'RUN', 'TRIGGER', 'REVISION', 'RESULT', 'CHANGED', 'TOOK'], runs.map((r) => [
      iso(r.startedAt), r.id, r.trigger, shortRevision(r.revision), `${r.result ?? 'running'}${r.dryRun ? ' (dry run)' : ''}`,
      steps(r.changedSteps), r.endedAt === undefined ? '-' : `${((r.endedAt - r.startedAt) / 1000).toFixed(1)}s`,
    ]));
    // Indented like the fields above and the events below, so the sections read apart.
    lines.push(...table.split('\n').map((line) => `  ${line}`));
  }
  const events = e.events.slice(0, limits.events);
  lines.push('', events.length ? `events (newest first, ${events.length}):` : 'events: none recorded');
  for (const event of events) lines.push(`  ${iso(event.at)}  ${event.type}  ${eventText(event)}`);
  return lines.join('\n');
}

/** At most two step names, then how many more (all of them are in -o json). */
function steps(names: readonly string[]): string {
  if (!names.length) return '-';
  return names.length <= 2 ? names.join(',') : `${names.slice(0, 2).join(',')} +${names.length - 2} more`;
}

/** `main@sha1:0123456789ab...` cut to 12 hex digits (the full revision is in -o json). */
function shortRevision(revision: string): string {
  return revision.replace(/(sha1:[0-9a-f]{12})[0-9a-f]+$/, '$1');
}

function eventText(event: DroverEvent): string {
  switch (event.type) {
    case 'host.failed': case 'host.rolledBack': case 'host.unreachable':
      return `${shortRevision(event.revision)} ${event.code}${'step' in event && event.step ? ` at ${event.step}` : ''}: ${event.message}`;
    case 'host.driftRepaired': return `${shortRevision(event.revision)} repaired ${event.changedSteps.join(',')}`;
    case 'run.finished':
      return `${event.runId} ${event.trigger} ${shortRevision(event.revision)} ${event.result}${event.dryRun ? ' (dry run)' : ''}${event.code ? ` ${event.code}` : ''}${event.actor ? ` by ${event.actor}` : ''}`;
    case 'sync.requested': return `${event.runId}${event.dryRun ? ' dry run' : ''} ${event.trigger}${event.actor ? ` by ${event.actor}` : ''}`;
    case 'host.suspended': case 'host.resumed': return event.actor ? `by ${event.actor}` : '';
    default: return 'revision' in event ? shortRevision(String(event.revision)) : '';
  }
}
