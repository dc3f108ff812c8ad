/**
 * Revisions with their commits: the newest fetched and the last good one (subject, author, time), and
 * the revision view: each revision hosts are on, how many, and how far behind the newest it is.
 */
import type { HostView } from '../../api.js';
import type { CommitInfo } from '../../../source/index.js';
import { html, type Html } from './html.js';
import { ago, shortRevision } from './format.js';

/** A revision with its commit, when the mirror knows it: `main@abc1234 "subject" by author, 3h ago`. */
export function revisionLine(revision: string | undefined, commits: Readonly<Record<string, CommitInfo>>, now: number): Html {
  if (!revision) return html`<code>-</code>`;
  const info = commits[revision];
  return html`<code title="${revision}">${shortRevision(revision)}</code>${info ? html` <span class="subject">${info.subject}</span> <span class="muted">by ${info.author}, ${ago(info.time, now)}</span>` : ''}`;
}

/** "newest" / "3 behind" for a revision, or '' when unknown. */
export function behindText(revision: string | undefined, commits: Readonly<Record<string, CommitInfo>>): string {
  const behind = revision ? commits[revision]?.behind : undefined;
  if (behind === undefined) return '';
  return behind === 0 ? 'newest' : `${behind} behind`;
}

/** The revisions hosts are on, newest commit first, each with its host count and a link filtering the hosts on it. */
export function revisionsTable(hosts: readonly HostView[], commits: Readonly<Record<string, CommitInfo>>, now: number): Html {
  const counts = new Map<string, number>();
  for (const h of hosts) {
    const revision = h.lastAppliedRevision ?? '';
    counts.set(revision, (counts.get(revision) ?? 0) + 1);
  }
  if (counts.size === 0) return html``;
  const order = [...counts.keys()].sort((a, b) => (commits[a]?.behind ?? Infinity) - (commits[b]?.behind ?? Infinity) || a.localeCompare(b));
  const rows = order.map((revision) => html`<tr data-revision="${revision}"><td>${revision ? revisionLine(revision, commits, now) : html`<span class="muted">none applied yet</span>`}</td>
<td>${behindText(revision, commits)}</td><td><a href="/?revision=${encodeURIComponent(revision || 'none')}">${counts.get(revision)} host${counts.get(revision) === 1 ? '' : 's'}</a></td></tr>`);
  return html`<div class="scroll"><table id="revisions"><thead><tr><th>Revision hosts are on</th><th>Behind the newest</th><th>Hosts</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}
