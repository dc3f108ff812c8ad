/** The event log's entries about one host, as a table (pure; docs/report.md describes each type). */
import type { DroverEvent } from '../../report/events.js';
import { html, type Html } from './html.js';
import { isoTime, shortRevision } from './format.js';

/** The events, newest first, one line each; the text of hosts and tokens escaped. */
export function eventsTable(events: readonly DroverEvent[]): Html {
  if (events.length === 0) return html`<p class="muted" id="events">No events about this host in the event log.</p>`;
  const rows = events.map((e) => html`<tr data-type="${e.type}"><td>${isoTime(e.at)}</td><td><code>${e.type}</code></td><td>${describe(e)}</td></tr>`);
  return html`<div class="scroll"><table id="events"><thead><tr><th>At</th><th>Event</th><th>What</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function describe(e: DroverEvent): string {
  const by = 'actor' in e && e.actor ? ` by ${e.actor}` : '';
  switch (e.type) {
    case 'run.finished':
      return `${e.trigger}${e.dryRun ? ' dry run' : ' run'} at ${shortRevision(e.revision)}: ${e.result}${e.code ? ` (${e.code})` : ''}, ${(e.durationMs / 1000).toFixed(1)}s${e.changedSteps.length ? `, changed ${e.changedSteps.join(', ')}` : ''}${by}`;
    case 'sync.requested':
      return `${e.dryRun ? 'dry run' : 'sync'} of ${e.hostCount} host${e.hostCount === 1 ? '' : 's'} (${e.trigger}, run ${e.runId})${by}`;
    case 'host.failed': case 'host.rolledBack': case 'host.unreachable':
      return `${e.code} at ${shortRevision(e.revision)}: ${e.message}`;
    case 'host.driftRepaired':
      return `drift repaired at ${shortRevision(e.revision)}: ${e.changedSteps.join(', ')}`;
    case 'host.suspended': return `suspended${by}`;
    case 'host.resumed': return `resumed${by}`;
    default: return 'revision' in e ? shortRevision(e.revision) : '';
  }
}
