/**
 * The fleet at a glance (GET /): the source and its revisions, counts per status, and one row per
 * host with its coloured status, applied revision, last run and drift count.
 */
import type { ControllerStatus, HostView } from '../../api.js';
import { HOST_STATUSES } from '../../state/records.js';
import { html, type Html } from './html.js';
import { ago, driftCount, shortRevision } from './format.js';
import { statusBadge } from './layout.js';

/** What the fleet page shows. */
export interface FleetPageData {
  source: { url: string; ref: string };
  status: ControllerStatus;
  hosts: HostView[];
  now: number;
}

/** The body of the fleet page. */
export function fleetBody(data: FleetPageData): Html {
  const s = data.status.source;
  const counts = HOST_STATUSES.filter((st) => data.status.hosts.byStatus[st] > 0).map((st) => html`<span>${statusBadge(st)} ${data.status.hosts.byStatus[st]}</span>`);
  return html`<div class="card" id="source">
<div><b>Source</b> <code>${data.source.url}</code> (${data.source.ref})</div>
<div>Newest revision <code title="${s.newestRevision ?? ''}">${shortRevision(s.newestRevision)}</code>,
 last good <code title="${s.lastGoodRevision ?? ''}">${shortRevision(s.lastGoodRevision)}</code>,
 last fetch ${ago(s.lastFetchAt, data.now)}</div>
${s.lastFetchError ? html`<div class="error">Fetch failed: ${s.lastFetchError.code}: ${s.lastFetchError.message}</div>` : ''}
${s.rejected ? rejectedBlock(s.rejected) : ''}
</div>
<div class="summary" id="counts"><b>${data.status.hosts.total} host${data.status.hosts.total === 1 ? '' : 's'}</b> ${counts}</div>
<table id="hosts"><thead><tr><th>Host</th><th>Status</th><th>Revision</th><th>Last run</th><th>Drift</th><th>Reason</th></tr></thead>
<tbody>${data.hosts.length ? data.hosts.map((h) => hostRow(h, data.now)) : html`<tr><td colspan="6" class="muted">No hosts yet: waiting for a valid revision.</td></tr>`}</tbody></table>`;
}

function rejectedBlock(rejected: { revision: string; problems: string[] }): Html {
  return html`<div class="error" id="rejected">Revision <code>${shortRevision(rejected.revision)}</code> was rejected; hosts stay on the last good revision:
<pre>${rejected.problems.slice(0, 50).join('\n')}</pre></div>`;
}

function hostRow(h: HostView, now: number): Html {
  const drift = driftCount(h.lastPlan);
  const href = `/hosts/${encodeURIComponent(h.host)}`;
  return html`<tr data-host="${h.host}"><td><a href="${href}">${h.host}</a></td><td>${statusBadge(h.status)}</td>
<td><code title="${h.lastAppliedRevision ?? ''}">${shortRevision(h.lastAppliedRevision)}</code></td>
<td>${ago(h.lastAttemptAt, now)}</td><td class="drift">${drift}</td><td>${h.reason}${h.blockedBy ? html`<div class="blocked" data-kind="${h.blockedBy.kind}">blocked by ${h.blockedBy.kind}: ${h.blockedBy.reason}</div>` : ''}</td></tr>`;
}
