/**
 * The one host shell library: sh functions and sh text that both the probe (controller/facts) and the
 * apply script (controller/apply) run on hosts, so a guard checked by the probe and the same guard
 * checked again before a command runs behave alike (same user switch, same time cap). Pure text.
 *
 * - `_hx`: hex-encodes stdin on one line (no spaces); `_hxs STRING`: the same for a string;
 * - `_tmo SECS CMD...`: CMD under `timeout SECS` where the host has `timeout`; SECS 0 means no cap;
 * - `_asuser USER CMD...`: CMD as USER (`runuser`, else `su`); an empty USER runs CMD as is;
 * - `_runas USER SECS CMD...`: CMD as USER under the time cap (`timeout` runs inside the user switch:
 *   it can run programs only, not these functions); exits 124 when the cap ends it.
 */
import { shellQuote } from './shell.js';

/** The library text; function names start with `_` to stay clear of user values. */
export const HOST_SH_LIBRARY = String.raw`
_hx() { od -An -tx1 -v | tr -d ' \n'; }
_hxs() { printf '%s' "$1" | _hx; }
_tmo() { if [ "$1" = 0 ]; then shift; "$@"; elif command -v timeout >/dev/null 2>&1; then timeout "$@"; else shift; "$@"; fi; }
_asuser() { _au=$1; shift; if [ -z "$_au" ]; then "$@"; elif command -v runuser >/dev/null 2>&1; then runuser -u "$_au" -- "$@"; else su -s /bin/sh "$_au" -c '"$0" "$@"' "$@"; fi; }
_runas() { _ru=$1; _rs=$2; shift 2; if [ "$_rs" != 0 ] && command -v timeout >/dev/null 2>&1; then _asuser "$_ru" timeout "$_rs" "$@"; else _asuser "$_ru" "$@"; fi; }
`.trim();

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What a user command runs with: its working directory, environment and user (all optional). */
export interface CommandSetting {
  cwd?: string | undefined;
  env?: Record<string, unknown> | undefined;
  user?: string | undefined;
}

/**
 * sh text running `command` (sh) with the setting's cwd (exit 126 when it is missing), env (names that are
 * not sh names, or start with `_`, are skipped) and user, capped at `seconds` (0: no cap), in a sub-shell;
 * its status is the command's. Shared by the probe's guards and the apply's guards and commands.
 */
export function runCommandSh(setting: CommandSetting, command: string, seconds: number): string {
  const parts: string[] = [];
  if (setting.cwd !== undefined) parts.push(`cd ${shellQuote(setting.cwd)} || exit 126`);
  for (const [k, v] of Object.entries(setting.env ?? {})) {
    if (ENV_NAME.test(k) && !k.startsWith('_')) parts.push(`export ${k}=${shellQuote(String(v))}`);
  }
  parts.push(`_runas ${shellQuote(setting.user ?? '')} ${seconds} sh -c ${shellQuote(command)}`);
  return `( ${parts.join('; ')} )`;
}
