/**
 * One host (GET /hosts/NAME): status and reason, revisions, last error, the last plan (steps with
 * their reasons), and the bounded run history.
 */
import type { HostDetail } from '../../api.js';
import type { RunRecord } from '../../state/records.js';
import { html, type Html } from './html.js';
import { ago, isoTime, shortRevision } from './format.js';
import { statusBadge } from './layout.js';

/** The body of a host's page. */
export function hostBody(host: HostDetail, now: number): Html {
  return html`<p><a href="/">&larr; fleet</a></p>
<h1 id="host-name">${host.host} ${statusBadge(host.status)}</h1>
<div class="card" id="summary"><div>${host.reason}</div>
${host.blockedBy ? html`<div id="blocked-by" data-kind="${host.blockedBy.kind}">Not on the newest revision: <b>${host.blockedBy.kind}</b>: ${host.blockedBy.reason}</div>` : ''}
<div>Applied revision <code title="${host.lastAppliedRevision ?? ''}">${shortRevision(host.lastAppliedRevision)}</code>,
 last attempted <code title="${host.lastAttemptedRevision ?? ''}">${shortRevision(host.lastAttemptedRevision)}</code>
 (${ago(host.lastAttemptAt, now)}); last success ${ago(host.lastSuccessAt, now)}${host.suspended ? html`; <b>suspended</b>` : ''}${host.removedAt !== undefined ? html`; <b>removed from the inventory</b>` : ''}</div></div>
${host.lastError ? errorBlock(host.lastError) : ''}
<h2>Last plan</h2>
${planBlock(host.lastPlan)}
<h2>History</h2>
${historyTable(host.history)}`;
}

function errorBlock(e: NonNullable<HostDetail['lastError']>): Html {
  return html`<div class="card error" id="last-error"><b>${e.code}</b>${e.step ? html` in step <code>${e.step}</code>` : ''}: ${e.message}
${e.stderrTail ? html`<pre>${e.stderrTail}</pre>` : ''}<div class="muted">${isoTime(e.at)}</div></div>`;
}

function planBlock(plan: HostDetail['lastPlan']): Html {
  if (!plan) return html`<p class="muted" id="plan">Not planned yet.</p>`;
  const counts = Object.entries(plan.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ');
  const head = html`<p>At <code title="${plan.revision}">${shortRevision(plan.revision)}</code>: ${plan.inSync ? 'in sync' : 'drift'}${counts ? ` (${counts})` : ''}</p>`;
  if (plan.steps.length === 0) return html`<div id="plan">${head}</div>`;
  const rows = plan.steps.map((s) => html`<tr><td><code>${s.name}</code></td><td>${s.action}</td><td>${s.reasons.join('; ')}${s.diff ? diffBlock(s.diff) : ''}</td></tr>`);
  return html`<div id="plan">${head}<table><thead><tr><th>Step</th><th>Action</th><th>Why</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** A unified diff, lines coloured by their first character (the text itself escaped). */
function diffBlock(lines: string[]): Html {
  const kind = (l: string): string => (l.startsWith('+++') || l.startsWith('---') ? 'muted' : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : l.startsWith('@@') ? 'hunk' : '');
  return html`<pre class="diff">${lines.map((l, i) => html`${i ? '\n' : ''}<span class="${kind(l)}">${l}</span>`)}</pre>`;
}

function historyTable(history: RunRecord[]): Html {
  if (history.length === 0) return html`<p class="muted" id="history">No runs yet.</p>`;
  const rows = history.map((r) => html`<tr><td>${isoTime(r.startedAt)}</td><td>${r.trigger}${r.dryRun ? ' (dry run)' : ''}</td>
<td><code title="${r.revision}">${shortRevision(r.revision)}</code></td><td>${r.result ?? 'running'}</td>
<td>${r.endedAt !== undefined ? `${((r.endedAt - r.startedAt) / 1000).toFixed(1)}s` : '-'}</td><td>${r.changedSteps.join(', ') || '-'}</td></tr>`);
  return html`<table id="history"><thead><tr><th>Started</th><th>Trigger</th><th>Revision</th><th>Result</th><th>Took</th><th>Changed</th></tr></thead><tbody>${rows}</tbody></table>`;
}
