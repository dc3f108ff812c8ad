/**
 * The lockout guard on the host (docs/design.md "Lockout guard"). A guarded run, holding the apply lock,
 * arms a watchdog before its first change: a detached process (in a transient systemd scope where systemd
 * runs, so no restart of sshd or end of the SSH session takes it along) that inherits the lock. The run
 * keeps its undo journal (a copy of every file before it changed it) in GUARD_DIR and notes each handler
 * it ran, and a copy of the firewall ruleset (`nft list ruleset`, where nft is installed: iptables-nft rules too).
 * When the run has ended, the watchdog waits `within` seconds for the controller to confirm over a
 * new SSH connection (confirmCommand renames `armed` to `confirmed` and wakes it: it removes the guard and
 * exits). Unconfirmed, it renames `armed` to `undoing` (the one rename decides between the two), puts the
 * files back, loads the ruleset it copied if the run changed it, runs the noted handlers again, writes UNDONE_PATH (read by the next probe) and exits,
 * releasing the lock. Pure text.
 */
import { GUARD_DIR, UNDONE_PATH } from '../facts/undone.js';
import { DROVER_STATE_DIR, PENDING_PATH } from '../facts/drover-state.js';
import { shellQuote as q } from '../transport/shell.js';
import { APPLY_SH_LIBRARY } from './sh-lib.js';
import type { TarEntry } from './tar.js';
import type { GuardOptions } from './types.js';

/** A step the watchdog runs again after putting the files back (a handler, a notified command), if the run ran it. */
export interface RerunStep {
  /** The step's index in the run's entries (what the run notes in `ran`). */
  index: number;
  name: string;
  /** sh text run in a sub-shell with `set -e`, as the run ran it (without its guards). */
  script: string;
}

/** Whole seconds of confirmWithin the watchdog waits (at least 1). */
export function guardSeconds(guard: GuardOptions): number {
  return Math.max(1, Math.ceil(guard.withinMs / 1000));
}

/** The guard's id is what confirm names: hex only, so it can be matched in files and unit names. */
export function checkGuardId(id: string): string {
  if (!/^[0-9a-f]{8,64}$/.test(id)) throw new TypeError(`guard id must be 8-64 hex digits, got ${JSON.stringify(id)}`);
  return id;
}

/**
 * The run's guard functions: `_guard_arm` (before the first change; fails when the watchdog does not
 * start within 10 s, and the run then changes nothing) and `_guard_end` (the run's end, which starts the
 * countdown). `_G` set means the run is guarded; `$$` is the run's shell, watched by the watchdog.
 */
export const GUARD_RUN_LIBRARY = String.raw`
_guard_arm() { rm -rf -- "$_G"; mkdir -m 0700 "$_G" && mkdir "$_G/u" && cp -- "$W/guard.sh" "$_G/guard.sh" || return 1
  if command -v nft >/dev/null 2>&1; then nft list ruleset > "$_G/fw" 2>/dev/null || rm -f -- "$_G/fw"; fi
  { cat "$W/gmeta"; echo "armed $(date +%s)"; } > "$_G/meta" && echo "$$" > "$_G/run" && : > "$_G/armed" || return 1
  if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then
    setsid sh -c 'systemd-run --scope --quiet --collect --unit="drover-guard-$1" sh "$2/guard.sh" "$2" || exec sh "$2/guard.sh" "$2"' _ "$_GID" "$_G" < /dev/null >> "$_G/log" 2>&1 &
  else setsid sh "$_G/guard.sh" "$_G" < /dev/null >> "$_G/log" 2>&1 & fi
  _n=0; until [ -s "$_G/pid" ]; do [ $_n -lt 200 ] || { rm -f -- "$_G/armed"; return 1; }; _n=$((_n + 1)); sleep 0.05; done; }
_guard_end() { [ -n "$_G" ] || return 0; date +%s > "$_G/.ended" && mv -f -- "$_G/.ended" "$_G/ended"; }`.trim();

/**
 * The run's preamble: the guard's variables and, when `guarded`, the arm (a failed arm ends the run with
 * status 1 before anything changed). Every run that changes something drops the last undo's record (the
 * probe that planned this run has read it).
 */
export function guardPreamble(guard: GuardOptions | undefined): string[] {
  const drop = `rm -f -- ${UNDONE_PATH}`;
  if (!guard) return ['_G=', drop];
  return [
    `_G=${GUARD_DIR}; _GID=${checkGuardId(guard.id)}; _UD="$_G/u"`,
    drop,
    `_guard_arm || { echo "drover: could not arm the lockout guard (a watchdog that undoes the run unless drover confirms it); see ${GUARD_DIR}/log" >&2; exit 1; }`,
  ];
}

/** The metadata the guard starts from (`gmeta`), and the part of the undone record naming the run. */
function meta(guard: GuardOptions): string {
  const label = Buffer.from(guard.label.replace(/\n/g, ' '), 'utf8').toString('hex');
  return `id ${checkGuardId(guard.id)}\nlabel x${label}\nwithin ${guardSeconds(guard)}\n`;
}

/** One noted handler run again: `( set -e; ... )` with fd 9 (the apply lock) closed, its status recorded. */
function rerunLine(step: RerunStep): string {
  const name = Buffer.from(step.name, 'utf8').toString('hex');
  return `if grep -qx ${step.index} "$G/ran" 2>/dev/null; then ( set -e; _TMP=; _k=0; _h${step.index} ) >> "$G/hlog" 2>&1 < /dev/null 9>&-; echo "handler x${name} $?" >> "$G/rec"; fi`;
}

const WATCH = String.raw`
_wake() { [ -z "$_sl" ] || kill "$_sl" 2>/dev/null; }
trap _wake TERM; trap '' HUP INT
echo $$ > "$G/.pid" && mv -f -- "$G/.pid" "$G/pid"
_run=$(cat "$G/run"); _sl=
while [ -e "$G/armed" ]; do
  if [ ! -e "$G/ended" ] && ! kill -0 "$_run" 2>/dev/null; then date +%s > "$G/.ended" && mv -f -- "$G/.ended" "$G/ended"; fi
  if [ -e "$G/ended" ] && [ $(( $(date +%s) - $(cat "$G/ended") )) -ge "$_within" ]; then break; fi
  sleep 1 9>&- & _sl=$!; wait "$_sl"; _sl=
done
if mv -- "$G/armed" "$G/undoing" 2>/dev/null; then _undo_run; fi
cd / && rm -rf -- "$G"
exit 0`;

const UNDO_RUN = String.raw`
_undo_fw() { [ -e "$G/fw" ] && command -v nft >/dev/null 2>&1 || return 0
  nft list ruleset > "$G/fw.now" 2>/dev/null; if cmp -s "$G/fw" "$G/fw.now"; then return 0; fi
  if { echo 'flush ruleset'; cat "$G/fw"; } | nft -f - 2>> "$G/rerr"; then _w=restored; else _w=failed; fi
  echo "$_w x$(_hxs 'the nftables ruleset')" >> "$G/rec"; }
_undo_run() { : > "$G/rec"
  for _e in $(ls "$G/u" | sort -r); do _u="$G/u/$_e"
    if _restore1 2>> "$G/rerr"; then if [ -e "$_u/absent" ]; then _w=removed; else _w=restored; fi; else _w=failed; fi
    echo "$_w x$(_hxs "$_p")" >> "$G/rec"; done
  _undo_fw
  if [ -d /run/systemd/system ]; then systemctl daemon-reload >/dev/null 2>&1 || :; systemctl reset-failed >/dev/null 2>&1 || :; fi
  _reruns
  { cat "$G/meta"; echo "ended $(cat "$G/ended")"; echo "undone $(date +%s)"; cat "$G/rec"; } | _meta "$_DD/undone"; }`;

/** The watchdog (`guard.sh`, run as `sh guard.sh GUARD_DIR`): always exits 0 (its caller falls back on failure only). */
export function watchdogScript(guard: GuardOptions, reruns: readonly RerunStep[]): string {
  return [
    'G=$1; W=$1',
    `_within=${guardSeconds(guard)}; _DD=${DROVER_STATE_DIR}; _PF=${PENDING_PATH}`,
    'LC_ALL=C; export LC_ALL; PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"; export PATH',
    'umask 022',
    APPLY_SH_LIBRARY,
    ...reruns.map((r) => `_h${r.index}() {\n${r.script}\nexit 0\n}`),
    `_reruns() { :\n${reruns.map(rerunLine).join('\n')}\n}`,
    UNDO_RUN.trim().replace(/@\{/g, '${'),
    WATCH.trim(),
    '',
  ].join('\n');
}

/** The tar entries a guarded run adds (before run.sh). */
export function guardFiles(guard: GuardOptions, reruns: readonly RerunStep[]): TarEntry[] {
  return [
    { name: 'guard.sh', content: Buffer.from(watchdogScript(guard, reruns), 'utf8') },
    { name: 'gmeta', content: Buffer.from(meta(guard), 'utf8') },
  ];
}

/** How the host answered confirmCommand. */
export type ConfirmAnswer =
  | { state: 'confirmed' | 'running' | 'undoing' | 'unknown' }
  | { state: 'undone'; record: string };

/**
 * The confirm command (run over a new connection): `confirmed` (the watchdog is disarmed and gone: the
 * lock is free), `running` (the run has not ended: ask again), `undoing` (the watchdog is undoing it),
 * `undone` with the hex record, or `unknown` (no guard of that id: it was never armed).
 */
export function confirmCommand(id: string): string {
  return [
    `_G=${GUARD_DIR}; _id=${q(checkGuardId(id))}`,
    '_mine() { [ -f "$1" ] && grep -qx "id $_id" "$1"; }',
    'if _mine "$_G/meta"; then',
    '  if [ -e "$_G/armed" ] && [ ! -e "$_G/ended" ]; then echo "drover-guard running"; exit 0; fi',
    '  if mv -- "$_G/armed" "$_G/confirmed" 2>/dev/null; then',
    '    kill -TERM "$(cat "$_G/pid" 2>/dev/null)" 2>/dev/null || rm -rf -- "$_G"',
    '    _n=0; while [ -d "$_G" ] && [ $_n -lt 200 ]; do _n=$((_n + 1)); sleep 0.05; done',
    '    echo "drover-guard confirmed"; exit 0',
    '  fi',
    'fi',
    `if _mine ${UNDONE_PATH}; then printf 'drover-guard undone x'; od -An -tx1 -v < ${UNDONE_PATH} | tr -d ' \\n'; echo; exit 0; fi`,
    'if _mine "$_G/meta"; then echo "drover-guard undoing"; exit 0; fi',
    'echo "drover-guard unknown"',
  ].join('\n');
}

/** Reads confirmCommand's answer; `unknown` for anything else. */
export function parseConfirmAnswer(stdout: string): ConfirmAnswer {
  const line = stdout.split('\n').find((l) => l.startsWith('drover-guard ')) ?? '';
  const [, state = '', hex = ''] = line.trim().split(' ');
  if (state === 'undone' && /^x(?:[0-9a-f]{2})*$/.test(hex)) return { state, record: Buffer.from(hex.slice(1), 'hex').toString('utf8') };
  if (state === 'confirmed' || state === 'running' || state === 'undoing') return { state };
  return { state: 'unknown' };
}
