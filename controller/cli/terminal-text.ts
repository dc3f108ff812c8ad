/**
 * Text from manifests and hosts shown on a terminal. A manifest under review, or a file on a host,
 * may hold escape sequences that clear the screen, hide lines, rewrite the window title, forge
 * links (OSC 8) or reorder text (bidi overrides): printed raw, the reviewer would see something
 * other than what is there. So every control character is shown as a visible escape.
 */

// C0 except tab and newline, DEL, C1, and the Unicode bidi embeddings, overrides and isolates.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\x1b': '\\e', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\v': '\\v', '\0': '\\0' };

/**
 * Returns `text` with control characters written as visible escapes (`\e`, `\r`, `\x9b`,
 * `\u202e`); tabs stay. Newlines are escaped too: callers split multi-line text first.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
}

/** escapeControl() line by line: newlines stay, everything else is shown escaped. */
export function escapeLines(text: string): string {
  return text.split('\n').map(escapeControl).join('\n');
}

function hex(c: string, width: number): string {
  return c.charCodeAt(0).toString(16).padStart(width, '0');
}
