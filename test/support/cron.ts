/**
 * What cron (Debian's vixie cron, do_command.c) does with the command part of a crontab line: a `\`
 * escapes the next character and is dropped only before a `%`; the first unescaped `%` ends the command
 * (the rest, with `%` as newlines, becomes its stdin). Used to check the lines drover writes.
 */
export function cronCommandOf(line: string): { command: string; stdin: string | undefined } {
  let command = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\' && i + 1 < line.length) {
      const next = line[i + 1]!;
      command += next === '%' ? '%' : `\\${next}`;
      i++;
    } else if (ch === '%') {
      return { command, stdin: line.slice(i + 1).replace(/%/g, '\n') };
    } else {
      command += ch;
    }
  }
  return { command, stdin: undefined };
}
