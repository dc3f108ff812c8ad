/**
 * The status page's frame: one inline stylesheet (no external assets), a header, and a
 * `<meta http-equiv=refresh>` so the page follows the fleet without any script.
 */
import type { HostStatus } from '../../state/records.js';
import type { Principal } from '../roles.js';
import { Html, html } from './html.js';

/** Colours of host statuses (text on a tinted badge). */
const STATUS_COLOURS: Readonly<Record<HostStatus, string>> = {
  Synced: '#1a7f37', OutOfSync: '#9a6700', Progressing: '#0969da', Failed: '#cf222e',
  Unreachable: '#8250df', Suspended: '#57606a', Rejected: '#bc4c00',
};

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:10px 20px;display:flex;gap:16px;align-items:baseline}
header a{color:#fff;text-decoration:none;font-weight:600}
header .meta{color:#c9d1d9;font-size:12px}
header form{margin-left:auto}
header .viewer{margin-left:auto}
header .viewer + form{margin-left:0}
main{padding:16px 20px;max-width:1200px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d0d7de}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #d0d7de;vertical-align:top}
th{background:#f6f8fa;font-weight:600}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px;color:#fff}
.summary{display:flex;gap:8px;flex-wrap:wrap;margin:8px 0 16px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 14px;margin-bottom:16px}
.error{color:#cf222e}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#fff;border:1px solid #d0d7de;padding:8px;overflow:auto}
.add{color:#1a7f37}.del{color:#cf222e}.hunk{color:#8250df}
.muted{color:#57606a}
`;

/** A status badge in its colour. */
export function statusBadge(status: HostStatus): Html {
  return html`<span class="badge status-${status}" style="background:${STATUS_COLOURS[status] ?? '#57606a'}">${status}</span>`;
}

/**
 * A whole page: title, body, and a refresh every `refreshSeconds` (none when 0). `viewer`: the token
 * (name and role) the page is shown to, when tokens are configured; what the page offers follows its
 * role (roles.ts `allows`): today every role may only read, so no page has a button.
 */
export function page(options: { title: string; body: Html; refreshSeconds: number; loggedIn: boolean; now: number; viewer?: Principal }): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${options.refreshSeconds > 0 ? html`<meta http-equiv="refresh" content="${options.refreshSeconds}">` : ''}
<title>${options.title} · drover</title>
<style>${new Html(STYLE)}</style></head>
<body><header><a href="/">drover</a><span class="meta">updated ${new Date(options.now).toISOString().slice(11, 19)} UTC${options.refreshSeconds > 0 ? `, refreshes every ${options.refreshSeconds}s` : ''}</span>
${options.viewer ? html`<span class="meta viewer">${options.viewer.name} (${options.viewer.role})</span>` : ''}
${options.loggedIn ? html`<form method="post" action="/logout"><button type="submit">Log out</button></form>` : ''}</header>
<main>${options.body}</main></body></html>`.text;
}
