/**
 * Safe pieces of GitHub-flavoured markdown (pure): text that cannot start a link, an emphasis, an HTML
 * tag or break a table cell, code spans and fences that the content cannot close, and short lists.
 */

/**
 * `text` as plain inline markdown on one line: no HTML tag or entity, no markdown punctuation that
 * could format (an `_` inside a word stays as it is), line breaks as spaces.
 */
export function inline(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&(?=#?\w+;)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/[\\`*[\]|~#]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, (c) => `\\${c}`);
}

/** `text` for HTML (a `<summary>`): `&`, `<`, `>` and `"` as entities. */
export function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `text` as a code span (a step or host name): fenced by more backticks than it holds, `|` escaped for tables. */
export function code(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  const ticks = '`'.repeat(longestRun(flat, '`') + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${flat.replace(/\|/g, '\\|')}${pad}${ticks}`;
}

/** A fenced code block of `lines` (info string `lang`), fenced by more backticks than any line holds. */
export function fenced(lines: readonly string[], lang: string): string {
  const fence = '`'.repeat(Math.max(3, ...lines.map((l) => longestRun(l, '`') + 1)));
  return [`${fence}${lang}`, ...lines, fence].join('\n');
}

/** Up to `max` items joined by ", ", then `+N more`. */
export function firstOf(items: readonly string[], max: number): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} +${items.length - max} more` : shown;
}

/** `1 host`, `2 hosts`. */
export function count(n: number, word: string, plural = `${word}s`): string {
  return `${n} ${n === 1 ? word : plural}`;
}

function longestRun(text: string, char: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}
