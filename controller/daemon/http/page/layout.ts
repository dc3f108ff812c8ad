/**
 * The status page's frame: one inline stylesheet and one small inline script (no external asset, no
 * build step), a header, and a place for notices. The script follows the fleet by server-sent events
 * (live.ts); without JavaScript a `<meta http-equiv=refresh>` inside `<noscript>` reloads the page.
 */
import type { HostStatus } from '../../state/records.js';
import type { Principal } from '../roles.js';
import { Html, html } from './html.js';
import { LIVE_SCRIPT } from './live.js';

/** Colours of host statuses (white text on the colour: each has a contrast of 4.5:1 or more). */
export const STATUS_COLOURS: Readonly<Record<HostStatus, string>> = {
  Synced: '#1a7f37', OutOfSync: '#9a6700', Progressing: '#0969da', Failed: '#cf222e',
  Unreachable: '#8250df', Suspended: '#57606a', Rejected: '#bc4c00',
};

const BADGES = Object.entries(STATUS_COLOURS).map(([s, c]) => `.status-${s}{background:${c}}`).join('');

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:10px 20px;display:flex;flex-wrap:wrap;gap:8px 16px;align-items:baseline}
header a{color:#fff;text-decoration:none;font-weight:600}
header .meta{color:#d0d7de;font-size:12px}
header .viewer{margin-left:auto}
main{padding:16px 20px;max-width:1400px}
a{color:#0550ae}
:focus-visible{outline:3px solid #0969da;outline-offset:2px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d0d7de}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #d0d7de;vertical-align:top}
th{background:#f6f8fa;font-weight:600}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px;color:#fff;background:#57606a}
${BADGES}
.summary{display:flex;gap:8px;flex-wrap:wrap;margin:8px 0 16px;align-items:center}
.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 14px;margin-bottom:16px}
.error{color:#cf222e}
.blocked{color:#57606a;font-size:12px}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#fff;border:1px solid #d0d7de;padding:8px;overflow:auto}
.add{color:#1a7f37}.del{color:#cf222e}.hunk{color:#8250df}
.muted{color:#57606a}
button{font:inherit;font-size:12px;padding:2px 8px;margin:1px;border:1px solid #8c959f;border-radius:4px;background:#f6f8fa;color:#1f2328;cursor:pointer}
button:hover{background:#eaeef2}
button.primary{background:#1f883d;border-color:#1a7f37;color:#fff}
.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin-bottom:12px}
.filters label{display:flex;flex-direction:column;font-size:12px;color:#57606a}
input,select{font:inherit;padding:3px 6px;border:1px solid #8c959f;border-radius:4px}
#notice:empty{display:none}
#notice{padding:8px 12px;border-radius:6px;background:#ddf4ff;border:1px solid #54aeff;margin-bottom:12px}
#notice.error{background:#ffebe9;border-color:#ff8182}
.scroll{overflow-x:auto}
@media (max-width:700px){main{padding:8px}th,td{padding:4px 6px}#hosts tr>:nth-child(4),#hosts tr>:nth-child(5){display:none}header .viewer{margin-left:0}}
`;

/** A status badge in its colour. */
export function statusBadge(status: HostStatus): Html {
  return html`<span class="badge status-${status}">${status}</span>`;
}

/** What a page is rendered with. */
export interface PageOptions {
  title: string;
  body: Html;
  /** Seconds between reloads without JavaScript (none when 0; pages with it follow the server's events). */
  refreshSeconds: number;
  loggedIn: boolean;
  now: number;
  /** The token (name and role) the page is shown to, when tokens are configured. */
  viewer?: Principal;
  /** The CSP nonce of the inline script (a new one for every answer). */
  nonce: string;
  /** The server-sent events the page follows (`/live`, `/live?host=NAME`); none: a page that does not follow. */
  live?: string;
}

/** A whole page. */
export function page(options: PageOptions): string {
  const follows = options.refreshSeconds > 0;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${follows ? html`<noscript><meta http-equiv="refresh" content="${options.refreshSeconds}"></noscript>` : ''}
<title>${options.title} · drover</title>
<style>${new Html(STYLE)}</style></head>
<body${options.live ? html` data-live="${options.live}" data-refresh="${options.refreshSeconds}"` : ''}><header><a href="/">drover</a><span class="meta" id="updated">updated ${new Date(options.now).toISOString().slice(11, 19)} UTC${follows ? html`<span id="follow">, refreshes every ${options.refreshSeconds}s</span>` : ''}</span>
${options.viewer ? html`<span class="meta viewer">${options.viewer.name} (${options.viewer.role})</span>` : ''}
${options.loggedIn ? html`<form method="post" action="/logout"><button type="submit">Log out</button></form>` : ''}</header>
<main><div id="notice" role="status" aria-live="polite"></div>${options.body}</main>
${follows ? html`<script nonce="${options.nonce}">${new Html(LIVE_SCRIPT)}</script>` : ''}</body></html>`.text;
}
