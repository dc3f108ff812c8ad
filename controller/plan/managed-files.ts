/**
 * Contents of the files drover writes for kinds that are not plain files (cron entries, sysctl
 * persistence). Shared by plan (to compare hashes) and apply (to write them), so both agree.
 */
import { createHash } from 'node:crypto';

/** sha256 (hex) of a UTF-8 string. */
export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** /etc/cron.d/drover-<name> content for a cron resource. */
export function cronFileContent(spec: { name: string; schedule?: string; command?: string; user?: string }): string {
  const command = cronEscape(spec.command ?? 'true');
  return `# managed by drover: cron:${spec.name}\nSHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n${spec.schedule ?? '@daily'} ${spec.user ?? 'root'} ${command}\n`;
}

/**
 * A command as the cron line must say it so that cron runs exactly `command`: cron turns an unescaped `%`
 * into a newline (the rest becomes stdin) and `\%` into `%`. The schema refuses a `\` right before a `%`
 * (no cron line can say that) and newlines, so escaping each `%` is exact.
 */
export function cronEscape(command: string): string {
  return command.replace(/%/g, '\\%');
}

/** /etc/sysctl.d/99-drover-<key>.conf content for a sysctl resource. */
export function sysctlFileContent(key: string, value: string): string {
  return `# managed by drover: sysctl:${key}\n${key} = ${value}\n`;
}

/** Normalises a sysctl value the way the kernel prints it (fields separated by one tab). */
export function normaliseSysctl(value: string | number): string {
  return String(value).trim().split(/\s+/).join('\t');
}
