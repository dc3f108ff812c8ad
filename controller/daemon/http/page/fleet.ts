/**
 * The fleet (GET /): the source and its revisions with their commits, the revision view (which hosts
 * are on which revision), counts per status, filters, and one row per host with its status, commit and
 * how far behind, last run, drift, why it is not on the newest revision (blockedBy), and the buttons
 * its viewer's role allows ("Sync all", "Resume rollout" beside a halted rollout, which every viewer
 * sees; per host "Sync", "Dry run", "Suspend"/"Resume").
 */
import type { ControllerStatus, HostView } from '../../api.js';
import type { CommitInfo } from '../../../source/index.js';
import { HOST_STATUSES } from '../../state/records.js';
import { html, type Html } from './html.js';
import { actionForm, hostButtons, mayAct, type Permissions } from './actions.js';
import { filterHosts, filterQuery, PAGE_SIZE, type FleetFilter } from './fleet-filter.js';
import { ago, driftCount, shortRevision } from './format.js';
import { statusBadge } from './layout.js';
import { revisionLine, revisionsTable } from './revisions.js';

/** What the fleet page shows. */
export interface FleetPageData {
  source: { url: string; ref: string };
  status: ControllerStatus;
  hosts: HostView[];
  now: number;
  /** Commits of the revisions shown, by revision name (see ControllerApi.commits). */
  commits?: Readonly<Record<string, CommitInfo>>;
  /** Each host's groups (filter by group). */
  groups?: Readonly<Record<string, readonly string[]>>;
  filter?: FleetFilter;
  /** Absent or nothing allowed: no button. */
  permissions?: Permissions;
}

/** The body of the fleet page. */
export function fleetBody(data: FleetPageData): Html {
  const commits = data.commits ?? {};
  const filter = data.filter ?? { page: 1 };
  const shown = filterHosts(data.hosts, data.groups ?? {}, filter);
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  const page = Math.min(filter.page, pages);
  const rows = shown.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const p = data.permissions;
  return html`${sourceCard(data, commits)}
${filtersForm(data, filter)}
${actionForm('fleet-form', p, html`${fleetActions(data.status, p)}
<div class="summary" id="counts">${countsLine(data.status)}${shown.length !== data.hosts.length ? html` <span class="muted">${shown.length} shown</span>` : ''}</div>
<div class="scroll"><table id="hosts"><thead><tr><th>Host</th><th>Status</th><th>Commit</th><th>Last run</th><th>Drift</th><th>Reason</th>${mayAct(p) ? html`<th>Actions</th>` : ''}</tr></thead>
<tbody>${rows.length ? rows.map((h) => hostRow(h, data.now, commits, p)) : html`<tr><td colspan="7" class="muted">${data.hosts.length ? 'No host matches the filters.' : 'No hosts yet: waiting for a valid revision.'}</td></tr>`}</tbody></table></div>
${pages > 1 ? pager(filter, page, pages) : ''}`)}`;
}

function sourceCard(data: FleetPageData, commits: Readonly<Record<string, CommitInfo>>): Html {
  const s = data.status.source;
  return html`<div class="card live" id="source">
<div><b>Source</b> <code>${data.source.url}</code> (${data.source.ref}), last fetch ${ago(s.lastFetchAt, data.now)}</div>
<div id="newest">Newest revision ${revisionLine(s.newestRevision, commits, data.now)}</div>
<div id="last-good">Last good ${revisionLine(s.lastGoodRevision, commits, data.now)}</div>
${s.lastFetchError ? html`<div class="error">Fetch failed: ${s.lastFetchError.code}: ${s.lastFetchError.message}</div>` : ''}
${s.rejected ? rejectedBlock(s.rejected) : ''}
${data.hosts.length ? html`<details id="revision-view"${data.filter?.revision ? ' open' : ''}><summary>Revisions hosts are on</summary>${revisionsTable(data.hosts, commits, data.now)}</details>` : ''}
</div>`;
}

function countsLine(status: ControllerStatus): Html {
  const counts = HOST_STATUSES.filter((st) => status.hosts.byStatus[st] > 0).map((st) => html`<a href="/?status=${st}">${statusBadge(st)}</a> ${status.hosts.byStatus[st]}`);
  return html`<b>${status.hosts.total} host${status.hosts.total === 1 ? '' : 's'}</b> ${counts}`;
}

// A halted rollout is shown to every viewer; only an admin gets its button.
function fleetActions(status: ControllerStatus, p: Permissions | undefined): Html | '' {
  const halted = status.rollouts.filter((r) => r.halted);
  if (!mayAct(p) && halted.length === 0) return '';
  return html`<div class="summary" id="fleet-actions">${p?.sync ? html`<button class="primary" name="sync-all" value="all">Sync all</button>` : ''}
${halted.map((r) => html`<span class="error" data-lane="${r.lane}">Rollout ${r.lane} halted at wave ${r.halted!.wave}: ${r.halted!.reason}</span>${p?.admin ? html` <button name="resume-rollout" value="${r.lane}">Resume rollout</button>` : ''}`)}</div>`;
}

function filtersForm(data: FleetPageData, filter: FleetFilter): Html {
  const groups = [...new Set(Object.values(data.groups ?? {}).flat())].sort();
  const option = (value: string, label: string, selected: boolean): Html => html`<option value="${value}"${selected ? ' selected' : ''}>${label}</option>`;
  return html`<form class="filters" method="get" action="/" role="search">
<label>Status <select name="status">${option('', 'any', filter.status === undefined)}${HOST_STATUSES.map((s) => option(s, s, filter.status === s))}</select></label>
${groups.length ? html`<label>Group <select name="group">${option('', 'any', filter.group === undefined)}${groups.map((g) => option(g, g, filter.group === g))}</select></label>` : ''}
<label>Text <input type="search" name="q" value="${filter.text ?? ''}" placeholder="host, reason"></label>
${filter.revision ? html`<input type="hidden" name="revision" value="${filter.revision}"><span>on <code>${shortRevision(filter.revision)}</code></span>` : ''}
<button type="submit">Filter</button>${filterQuery(filter) ? html` <a href="/">Clear</a>` : ''}</form>`;
}

function pager(filter: FleetFilter, page: number, pages: number): Html {
  return html`<nav class="summary" id="pager" aria-label="pages">${page > 1 ? html`<a href="/${filterQuery(filter, page - 1)}" rel="prev">previous</a>` : ''}
<span>page ${page} of ${pages}</span>${page < pages ? html`<a href="/${filterQuery(filter, page + 1)}" rel="next">next</a>` : ''}</nav>`;
}

function rejectedBlock(rejected: { revision: string; problems: string[] }): Html {
  return html`<div class="error" id="rejected">Revision <code>${shortRevision(rejected.revision)}</code> was rejected; hosts stay on the last good revision:
<pre>${rejected.problems.slice(0, 50).join('\n')}</pre></div>`;
}

// Kept small: a page holds 1,000 of these (closing </td> are implied; a Synced host's reason says only
// that it is in sync at its revision, shown already).
function hostRow(h: HostView, now: number, commits: Readonly<Record<string, CommitInfo>>, p: Permissions | undefined): Html {
  const behind = h.lastAppliedRevision ? commits[h.lastAppliedRevision]?.behind : undefined;
  return html`<tr data-host="${h.host}"><td><a href="/hosts/${encodeURIComponent(h.host)}">${h.host}</a><td>${statusBadge(h.status)}<td><code>${shortRevision(h.lastAppliedRevision)}</code>${behind ? html` <span class="behind">${behind} behind</span>` : ''}
<td>${ago(h.lastAttemptAt, now)}<td class="drift">${driftCount(h.lastPlan)}<td>${h.status === 'Synced' ? '' : h.reason}${h.blockedBy ? html`<div class="blocked" data-kind="${h.blockedBy.kind}">blocked by ${h.blockedBy.kind}: ${h.blockedBy.reason}</div>` : ''}${mayAct(p) ? html`<td>${hostButtons(h, p)}` : ''}</tr>`;
}
