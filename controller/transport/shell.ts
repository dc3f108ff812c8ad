/**
 * Shell quoting for every value that reaches a remote (or local) POSIX shell.
 * Paths and values are JavaScript strings: they reach the host as UTF-8. A path that is not
 * valid UTF-8 on the host cannot be named through this module (drover manifests are UTF-8 text);
 * file *content* is never quoted, it is streamed as raw bytes on stdin.
 */

/**
 * Quotes `value` as one POSIX sh word: wrapped in single quotes, each `'` written as `'\''`.
 * Safe for spaces, newlines, `$()`, backticks, quotes, globs and leading dashes (callers still
 * pass `--` where a command would read a leading `-` as an option). Never returns an empty string.
 * Throws on a NUL character, which no shell word can hold.
 */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error('shellQuote: a shell word cannot contain a NUL character');
  if (/^[A-Za-z0-9_@%+:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Wraps a POSIX sh command line so it runs under `sh -c` (the login shell of the remote user may
 * be anything), or under `sudo -n sh -c` when `sudo` is set. `sudo -n` never prompts: a missing
 * NOPASSWD rule makes the command fail with sudo's message on stderr instead of hanging.
 */
export function wrapCommand(command: string, options: { sudo?: boolean } = {}): string {
  const inner = `sh -c ${shellQuote(command)}`;
  return options.sudo ? `sudo -n ${inner}` : inner;
}
