/**
 * A preview as a pull-request comment (pure): a headline, a table of the hosts that would change (or
 * failed), then each such host's steps and masked diffs in a collapsed `<details>` block. It is cut to
 * fit a size (GitHub takes comments of at most 65,536 characters): diffs go first, then whole host
 * blocks, then table rows, and a closing note says what was left out and where the whole preview is.
 */
import { inline } from './markdown-text.js';
import { hostBlock, hostRow, problemLines, summaryLine, tableHead, titleLines } from './markdown-parts.js';
import type { HostPreview, PreviewReport } from './types.js';

/** GitHub's limit on the size of a comment, in characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** The default cap: under GitHub's limit, leaving room for a CI job's own words around it. */
export const DEFAULT_MARKDOWN_LIMIT = 60_000;

/** Room kept for the closing note. */
const NOTE_ROOM = 1_000;

/** Options of renderPreviewMarkdown. */
export interface MarkdownOptions {
  /** Largest result in characters (default DEFAULT_MARKDOWN_LIMIT); at least 2,000. */
  maxChars?: number;
}

/** What was left out to fit. */
interface Cuts {
  problems: number;
  rows: string[];
  diffs: string[];
  blocks: string[];
}

/**
 * The markdown of `report`, at most `maxChars` characters. Hosts in sync that the revision does not
 * change get no row, only a count. Never throws.
 */
export function renderPreviewMarkdown(report: PreviewReport, options: MarkdownOptions = {}): string {
  const limit = Math.max(2_000, options.maxChars ?? DEFAULT_MARKDOWN_LIMIT);
  const budget = limit - NOTE_ROOM;
  const cuts: Cuts = { problems: 0, rows: [], diffs: [], blocks: [] };
  const out: string[] = [];
  let size = 0;
  const add = (text: string): boolean => {
    if (size + text.length + 1 > budget) return false;
    out.push(text);
    size += text.length + 1;
    return true;
  };
  for (const line of titleLines(report)) add(line);
  const problems = problemLines(report);
  const listed = problems.findIndex((line) => !add(line));
  if (listed >= 0) cuts.problems = problems.length - listed;
  if (report.unfinished || report.error || report.problems?.length) return finish(out, cuts, report, limit);
  const shown = report.hosts.filter(notable);
  add(summaryLine(report));
  if (shown.length > 0) addTable(report, shown, add, cuts);
  for (const block of fitBlocks(shown.filter((h) => !cuts.rows.includes(h.host)), budget - size, cuts)) add(block);
  return finish(out, cuts, report, limit);
}

/**
 * The hosts' blocks within `room`: first every block without its diffs that fits (in host order, so
 * as many hosts as possible show their steps), then diffs put back, in host order, while room is left.
 */
function fitBlocks(hosts: HostPreview[], room: number, cuts: Cuts): string[] {
  const blocks = hosts.flatMap((host) => {
    const full = hostBlock(host, { withDiffs: true });
    return full === undefined ? [] : [{ host: host.host, full, short: hostBlock(host, { withDiffs: false })! }];
  });
  let left = room;
  const kept = blocks.filter((b) => {
    if (b.short.length + 1 > left) {
      cuts.blocks.push(b.host);
      return false;
    }
    left -= b.short.length + 1;
    return true;
  });
  return kept.map((b) => {
    const extra = b.full.length - b.short.length;
    if (extra === 0) return b.full;
    if (extra > left) {
      cuts.diffs.push(b.host);
      return b.short;
    }
    left -= extra;
    return b.full;
  });
}

/** A host worth a row: anything but in sync and untouched by the revision. */
function notable(host: HostPreview): boolean {
  return host.result !== 'in-sync' || (host.change !== undefined && host.change !== 'unchanged');
}

function addTable(report: PreviewReport, shown: HostPreview[], add: (text: string) => boolean, cuts: Cuts): void {
  const withBase = report.base !== undefined;
  add(['', ...tableHead(withBase)].join('\n'));
  for (const host of shown) {
    if (cuts.rows.length === 0 && add(hostRow(host, withBase))) continue;
    cuts.rows.push(host.host);
  }
  add('');
}

function finish(out: string[], cuts: Cuts, report: PreviewReport, limit: number): string {
  const notes = [
    ...(cuts.problems ? [`${cuts.problems} more problems are not listed`] : []),
    ...(cuts.rows.length ? [`${cuts.rows.length} hosts have no row: ${names(cuts.rows)}`] : []),
    ...(cuts.diffs.length ? [`the diffs of ${names(cuts.diffs)} are not shown`] : []),
    ...(cuts.blocks.length ? [`the steps of ${names(cuts.blocks)} are not shown`] : []),
  ];
  if (notes.length === 0) return `${out.join('\n').trimEnd()}\n`;
  const where = report.fullAt ? ` The whole preview: ${inline(report.fullAt)}.` : '';
  const note = `> **Cut to fit a comment** (${limit.toLocaleString('en-US')} characters at most; GitHub takes 65,536): ${notes.join('; ')}.${where}`;
  const fitted = note.length > NOTE_ROOM - 4 ? `${note.slice(0, NOTE_ROOM - 8)} ...` : note;
  return `${out.join('\n').trimEnd()}\n\n${fitted}\n`;
}

/** Host names for the note, the first 10. */
function names(hosts: string[]): string {
  const shown = hosts.slice(0, 10).map(inline).join(', ');
  return hosts.length > 10 ? `${shown} and ${hosts.length - 10} more` : shown;
}
