/**
 * The sh functions every apply script carries (pure text). They run on the host inside the run's
 * private work dir `$W` (mode 0700) and write records `<token> <tag> <fields>` to `$W/log`, which the
 * script prints at its very end (so a dropped connection never kills the script half-way with SIGPIPE).
 *
 * Written with `@{` for sh's `${` (String.raw would read `${` as interpolation).
 * The host library shared with the probe (controller/transport/host-sh.ts: `_hx`, `_hxs`, `_tmo`, `_asuser`,
 * `_runas`) comes first. Conventions: function names start with `_`; values that may hold spaces or newlines are passed as
 * arguments and never go through `$(...)` (which would strip trailing newlines); paths and other
 * host strings are written to the log hex-encoded (`x<hex>`). Inside a step, `_I` is the step's index
 * and `_TMP` names the temp file the step's EXIT trap removes. The undo journal (a copy of each file before a
 * step changed it) lives in `$_UD`, by default `$W/u`; a guarded run keeps it in the guard's dir (guard.ts).
 */

import { DROVER_STATE_DIR } from '../facts/drover-state.js';
import { HOST_SH_LIBRARY } from '../transport/host-sh.js';

/** Content-addressed backups: `<sha256>` blobs and `index/<sha256 of path>` revision lists. */
export const BACKUP_DIR = `${DROVER_STATE_DIR}/backups`;

/**
 * Pristine copies: per path (`<sha256 of path>/`), the file as it was before drover first changed it (`data` +
 * `meta` "mode uid gid", or `absent` when drover created it). Written once, never rotated (restore_ steps).
 */
export const PRISTINE_DIR = `${DROVER_STATE_DIR}/pristine`;

/** Exit status of a step that found nothing to do (a guard said no). */
export const UNCHANGED_EXIT = 100;

const CORE = String.raw`
_rec() { echo "$_T $*" >> "$_L"; }
_now() { _n=$(date +%s%N 2>/dev/null); case $_n in *N*|'') _n=$(date +%s)000000000;; esac; echo "$_n"; }
_parent() { _d=@{1%/*}; [ -n "$_d" ] || _d=/; }
_owner() { if [ -n "$2" ] && [ -n "$3" ]; then chown -h -- "$2:$3" "$1"; elif [ -n "$2" ]; then chown -h -- "$2" "$1"; elif [ -n "$3" ]; then chgrp -h -- "$3" "$1"; fi; }
_mktmp() { _parent "$1"; _TMP=$(mktemp "$_d/.drover-tmp.XXXXXX") || { _TMP=; return 1; }; }
_reg() { [ -f "$1" ] && [ ! -L "$1" ]; }
_isdir() { [ -d "$1" ] && [ ! -L "$1" ]; }
`;

const UNDO = String.raw`
_undo() { _k=$((_k + 1)); _u="@{_UD:-$W/u}/$(printf '%05d' "$_I").$_k"; mkdir -p "$_u" || return 1
  printf '%s' "$1" > "$_u/p" || return 1
  if [ -e "$1" ] || [ -L "$1" ]; then cp -a -- "$1" "$_u/d" || return 1; else : > "$_u/absent"; fi; }
_restore1() { _p=$(cat "$_u/p"; echo x); _p=@{_p%x}
  if [ -e "$_u/absent" ]; then if _isdir "$_p"; then echo "drover: $_p became a directory" >&2; return 1; fi; rm -f -- "$_p"; return; fi
  _parent "$_p"; _t="$_d/.drover-tmp.restore$$"; rm -f -- "$_t"
  if cp -a -- "$_u/d" "$_t" && mv -f -- "$_t" "$_p"; then return 0; fi; rm -f -- "$_t"; return 1; }
_restore_all() { _ud=@{_UD:-$W/u}; [ -d "$_ud" ] || return 0
  for _e in $(ls "$_ud" | sort -r); do _u="$_ud/$_e"
    if _restore1 2>> "$W/rerr"; then _rec r "$((1@{_e%%.*} - 100000))" "x$(_hxs "$_p")"; else _rec rf "$((1@{_e%%.*} - 100000))" "x$(_hxs "$_p")"; fi
  done; }
`;

const FILES = String.raw`
_keepattrs() { if _reg "$1"; then _s=$(stat -c '%a %u %g' -- "$1") || return 1; [ -n "$_m" ] || _m=@{_s%% *}; _s=@{_s#* }
    [ -n "$_o" ] || _o=@{_s%% *}; [ -n "$_g" ] || _g=@{_s#* }; else [ -n "$_m" ] || _m=0644; fi; }
_put() { _p=$1; _src=$2; _m=$3; _o=$4; _g=$5; shift 5
  _parent "$_p"; _isdir "$_d" || mkdir -p -- "$_d" || return 1
  if _isdir "$_p"; then echo "drover: $_p is a directory" >&2; return 1; fi
  _keepattrs "$_p"; _pristine "$_p" || return 1; _undo "$_p" || return 1; _mktmp "$_p" || return 1
  chmod "$_m" "$_TMP" || return 1; _owner "$_TMP" "$_o" "$_g" || return 1
  if [ $# -gt 0 ]; then _subst "$_src" "$_TMP" "$@" || return 1; else cat -- "$_src" > "$_TMP" || return 1; fi
  sync "$_TMP" 2>/dev/null || :; mv -f -- "$_TMP" "$_p" || return 1; _TMP=; }
_attrs() { _pristine "$1" || return 1; _undo "$1" || return 1; [ -z "$2" ] || chmod "$2" "$1" || return 1; _owner "$1" "$3" "$4"; }
_rmfile() { if _isdir "$1"; then echo "drover: $1 is a directory" >&2; return 1; fi; [ -e "$1" ] || [ -L "$1" ] || return 0; _pristine "$1" && _undo "$1" && rm -f -- "$1"; }
_SUBST='function rep(s, a, b,  o, j) { o = ""; while ((j = index(s, a)) > 0) { o = o substr(s, 1, j - 1) b; s = substr(s, j + length(a)) } return o s }
BEGIN { for (i = 1; i <= ENVIRON["_SN"] + 0; i++) { f = ENVIRON["_S" i]; v = ""; if ((getline v < f) <= 0 || v == "") { printf "drover: secret %s is missing or empty at %s\n", ENVIRON["_N" i], f > "/dev/stderr"; bad = 1; exit 3 } close(f); val[i] = v; ph[i] = "{{drover-secret:" ENVIRON["_N" i] "}}" } }
{ s = $0; for (k = 1; k <= ENVIRON["_SN"] + 0; k++) s = rep(s, ph[k], val[k]); if (NR > 1) printf "\n"; printf "%s", s }
END { if (bad) exit 3; if (ENVIRON["_NL"] == 1) printf "\n" }'
_subst() { _in=$1; _out=$2; _nl=$3; shift 3; _n=0
  while [ $# -gt 0 ]; do _n=$((_n + 1)); export "_N$_n=$1" "_S$_n=$2"; shift 2; done
  _SN=$_n _NL=$_nl awk "$_SUBST" < "$_in" > "$_out"; }
`;

const STATE = String.raw`
_meta() { mkdir -p "$_DD" "@{1%/*}" && _t=$(mktemp "$_DD/.drover-tmp.XXXXXX") || return 1
  if cat > "$_t" && chmod 0600 "$_t" && mv -f -- "$_t" "$1"; then return 0; fi; rm -f -- "$_t"; return 1; }
_pend_add() { { [ -f "$_PF" ] && cat "$_PF"; for _i in "$@"; do printf '%s\n' "$_i"; done; } | awk '!seen[$0]++' | _meta "$_PF"; }
_pend_del() { [ -f "$_PF" ] || return 0; _X=$1 awk '$0 != ENVIRON["_X"]' "$_PF" | _meta "$_PF"; }
_backup() { _reg "$1" || return 0; mkdir -p "$_BD/index" && chmod 0700 "$_BD" || return 1
  _h=$(sha256sum < "$1") || return 1; _h=@{_h%% *}
  if [ ! -f "$_BD/$_h" ]; then _t=$(mktemp "$_BD/.drover-tmp.XXXXXX") || return 1
    if ! { cp -- "$1" "$_t" && mv -f -- "$_t" "$_BD/$_h"; }; then rm -f -- "$_t"; return 1; fi; fi
  _ix="$_BD/index/$3"; printf '%s' "$1" > "$_ix.path" || return 1
  _s=$(stat -c '%a %u %g' -- "$1") || return 1
  { [ -f "$_ix" ] && cat "$_ix"; echo "$_h $_s $(date +%s)"; } > "$_ix.new" || return 1
  _c=$(wc -l < "$_ix.new"); tail -n "$2" "$_ix.new" > "$_ix.tmp" && mv -f "$_ix.tmp" "$_ix" && rm -f "$_ix.new" || return 1
  [ "$_c" -le "$2" ] || _backup_gc; }
_pristine() { _reg "$1" || { [ ! -e "$1" ] && [ ! -L "$1" ]; } || return 0
  _ph=$(printf '%s' "$1" | sha256sum) || return 1; _ph="$_PD/@{_ph%% *}"; [ -d "$_ph" ] && return 0
  mkdir -p "$_PD" && chmod 0700 "$_PD" && _pt=$(mktemp -d "$_PD/.drover-tmp.XXXXXX") || return 1
  if printf '%s' "$1" > "$_pt/path" && if _reg "$1"; then cp -- "$1" "$_pt/data" && stat -c '%a %u %g' -- "$1" > "$_pt/meta"; else : > "$_pt/absent"; fi && mv -- "$_pt" "$_ph"; then return 0; fi
  rm -rf -- "$_pt"; return 1; }
_restore_pristine() { _ph=$(printf '%s' "$1" | sha256sum) || return 1; _ph="$_PD/@{_ph%% *}"
  [ -d "$_ph" ] || { echo "drover: no pristine copy of $1: drover has not changed it on this host" >&2; return 1; }
  if [ -e "$_ph/absent" ]; then _isdir "$1" && { echo "drover: $1 is a directory" >&2; return 1; }; [ -e "$1" ] || [ -L "$1" ] || return 0; _undo "$1" && rm -f -- "$1"; return; fi
  set -- "$1" $(cat "$_ph/meta"); [ $# -ge 4 ] || { echo "drover: the pristine copy of $1 is damaged" >&2; return 1; }
  _parent "$1"; _isdir "$_d" || mkdir -p -- "$_d" || return 1
  _undo "$1" && _mktmp "$1" && chmod "$2" "$_TMP" && chown "$3:$4" "$_TMP" && cat -- "$_ph/data" > "$_TMP" && mv -f -- "$_TMP" "$1" && _TMP=; }
_backup_gc() { for _f in "$_BD"/*; do _n=@{_f##*/}; case $_n in *[!0-9a-f]*|'') continue;; esac
  grep -qs -- "^$_n " "$_BD"/index/* || rm -f -- "$_f"; done; }
_restore_backup() { _ix="$_BD/index/$2"; [ -f "$_ix" ] || { echo "drover: no backup of $1" >&2; return 1; }
  [ "$(wc -l < "$_ix")" -ge "$3" ] || { echo "drover: backup revision not found" >&2; return 1; }
  _l=$(tail -n "$3" "$_ix" | head -n 1); set -- "$1" $_l; [ $# -ge 5 ] && [ -f "$_BD/$2" ] || { echo "drover: backup revision not found" >&2; return 1; }
  _parent "$1"; _undo "$1" && _mktmp "$1" && chmod "$3" "$_TMP" && chown "$4:$5" "$_TMP" && cat -- "$_BD/$2" > "$_TMP" && mv -f -- "$_TMP" "$1" && _TMP=; }
`;

/**
 * Entries purged from owned directories (purge.ts): each kept as `$_DD/purged/<sha256 of dir>/<sha256 of
 * path>/` holding `path` and, for a symlink, `target` (a file's content and attributes go to the backup
 * store, under the same index name). `_purge PATH f|l KEEP INDEX DIRHASH` removes one (journalled, so a
 * failed run puts it back); `_unpurge DIRHASH DIR` puts back every purged entry that is still absent.
 */
const PURGE = String.raw`
_purge() { _p=$1; _rd="$_DD/purged/$5"
  if [ "$2" = l ]; then [ -L "$_p" ] || exit 100; else _reg "$_p" || exit 100; fi
  mkdir -p "$_rd" && chmod 0700 "$_DD/purged" && _pt=$(mktemp -d "$_rd/.drover-tmp.XXXXXX") || return 1
  if ! { printf '%s' "$_p" > "$_pt/path" && if [ "$2" = l ]; then readlink -- "$_p" > "$_pt/target"; else _backup "$_p" "$3" "$4"; fi; }; then rm -rf -- "$_pt"; return 1; fi
  _undo "$_p" || { rm -rf -- "$_pt"; return 1; }
  rm -rf -- "$_rd/$4"; mv -- "$_pt" "$_rd/$4" && rm -f -- "$_p"; }
_unpurge() { _rd="$_DD/purged/$1"; _n=0
  [ -d "$_rd" ] || { echo "drover: nothing was purged from $2 on this host" >&2; return 1; }
  for _e in "$_rd"/*; do [ -f "$_e/path" ] || continue; _p=$(cat "$_e/path"; echo x); _p=@{_p%x}
    if [ -e "$_p" ] || [ -L "$_p" ]; then rm -rf -- "$_e"; continue; fi
    if [ -f "$_e/target" ]; then _tg=$(cat "$_e/target"); _undo "$_p" && ln -s -- "$_tg" "$_p" || return 1
    else _restore_backup "$_p" "@{_e##*/}" 1 || return 1; fi
    rm -rf -- "$_e"; _n=$((_n + 1)); done
  echo "drover: $_n entries of $2 put back"; [ "$_n" -gt 0 ] || exit 100; }
`;

/** The library text, in dependency order. */
export const APPLY_SH_LIBRARY = `${HOST_SH_LIBRARY}\n${[CORE, UNDO, FILES, STATE, PURGE].join('').trim().replace(/@\{/g, '${')}`;
