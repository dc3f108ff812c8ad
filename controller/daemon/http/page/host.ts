/**
 * One host (GET /hosts/NAME): status and reason, why it is not on the newest revision (blockedBy), its
 * commit and how far behind, the buttons its viewer's role allows, last error, the last plan (steps
 * with their reasons and masked diffs), its runs (trigger, revision, steps changed, duration, result)
 * and the event log's entries about it.
 */
import type { HostDetail } from '../../api.js';
import type { DroverEvent } from '../../report/events.js';
import type { RunRecord } from '../../state/records.js';
import type { CommitInfo } from '../../../source/index.js';
import { html, type Html } from './html.js';
import { actionForm, hostButtons, mayAct, type Permissions } from './actions.js';
import { ago, isoTime, shortRevision } from './format.js';
import { statusBadge } from './layout.js';
import { behindText, revisionLine } from './revisions.js';
import { eventsTable } from './host-events.js';

/** What a host page shows besides the host. */
export interface HostPageExtras {
  commits?: Readonly<Record<string, CommitInfo>>;
  /** The event log's entries about the host, newest first. */
  events?: readonly DroverEvent[];
  permissions?: Permissions;
}

/** The body of a host's page. */
export function hostBody(host: HostDetail, now: number, extras: HostPageExtras = {}): Html {
  const commits = extras.commits ?? {};
  const behind = behindText(host.lastAppliedRevision, commits);
  return html`<p><a href="/">&larr; fleet</a></p>
${actionForm('host-form', extras.permissions, html`<h1 id="host-name">${host.host} ${statusBadge(host.status)}</h1>
<div class="card" id="summary"><div>${host.reason}</div>
${host.blockedBy ? html`<div id="blocked-by" data-kind="${host.blockedBy.kind}">Not on the newest revision: <b>${host.blockedBy.kind}</b>: ${host.blockedBy.reason}</div>` : ''}
<div id="applied">Applied ${revisionLine(host.lastAppliedRevision, commits, now)}${behind ? html` (<span class="behind">${behind}</span>)` : ''}</div>
<div>Last attempted <code title="${host.lastAttemptedRevision ?? ''}">${shortRevision(host.lastAttemptedRevision)}</code>
 (${ago(host.lastAttemptAt, now)}); last success ${ago(host.lastSuccessAt, now)}${host.suspended ? html`; <b>suspended</b>` : ''}${host.removedAt !== undefined ? html`; <b>removed from the inventory</b>` : ''}</div>
${mayAct(extras.permissions) ? html`<div id="host-actions">${hostButtons(host, extras.permissions)}</div>` : ''}</div>
${host.lastError ? errorBlock(host.lastError) : ''}
<h2>Last plan</h2>
${planBlock(host.lastPlan)}
<h2>Runs</h2>
${historyTable(host.history, host.lastPlan, commits)}
<h2>Events</h2>
${eventsTable(extras.events ?? [])}`)}`;
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
  return html`<div id="plan">${head}<div class="scroll"><table><thead><tr><th>Step</th><th>Action</th><th>Why</th></tr></thead><tbody>${rows}</tbody></table></div></div>`;
}

function runDiffBlock(id: string, diffs: Html[]): Html | string {
  return diffs.length ? html`<details class="run-diff" id="diff-${id}"><summary>diff (masked)</summary>${diffs}</details>` : '';
}

/** A unified diff, lines coloured by their first character (the text itself escaped). */
function diffBlock(lines: string[]): Html {
  const kind = (l: string): string => (l.startsWith('+++') || l.startsWith('---') ? 'muted' : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : l.startsWith('@@') ? 'hunk' : '');
  return html`<pre class="diff">${lines.map((l, i) => html`${i ? '\n' : ''}<span class="${kind(l)}">${l}</span>`)}</pre>`;
}

/**
 * The runs, newest first, each with the masked diffs it keeps (dry runs and drift repairs, the newest
 * runs: RunRecord.diff). A run without its own shows the host's last plan's diffs when it made that
 * plan (the newest finished run at the plan's revision).
 */
function historyTable(history: RunRecord[], plan: HostDetail['lastPlan'], commits: Readonly<Record<string, CommitInfo>>): Html {
  if (history.length === 0) return html`<p class="muted" id="history">No runs yet.</p>`;
  const planRun = plan && history.find((r) => r.endedAt !== undefined && r.revision === plan.revision);
  const planDiffs = plan?.steps.filter((s) => s.diff).map((s) => ({ step: s.name, lines: s.diff! })) ?? [];
  const diffsOf = (r: RunRecord): Html[] => (r.diff?.length ? r.diff : r === planRun ? planDiffs : [])
    .map((d) => html`<div><code>${d.step}</code>${diffBlock(d.lines)}</div>`);
  const rows = history.map((r) => html`<tr data-run="${r.id}"><td>${isoTime(r.startedAt)}</td><td>${r.trigger}${r.dryRun ? ' (dry run)' : ''}</td>
<td><code title="${r.revision}">${shortRevision(r.revision)}</code>${commits[r.revision] ? html` <span class="subject">${commits[r.revision]!.subject}</span>` : ''}</td><td>${r.result ?? 'running'}</td>
<td>${r.endedAt !== undefined ? `${((r.endedAt - r.startedAt) / 1000).toFixed(1)}s` : '-'}</td><td>${r.changedSteps.join(', ') || '-'}${runDiffBlock(r.id, diffsOf(r))}</td></tr>`);
  return html`<div class="scroll"><table id="history"><thead><tr><th>Started</th><th>Trigger</th><th>Revision</th><th>Result</th><th>Took</th><th>Changed</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}
