/**
 * Shared pieces of the probe: the record format, the sh helper library every fragment may call,
 * and pure helpers parsers share. No I/O.
 *
 * Output format: every line the probe means is `<token> <tag> <fields...>`, fields separated by
 * one space and never empty; a per-run random token starts each line, so stray output (login
 * banners, tool noise) is ignored. Host values that may hold spaces, newlines or arbitrary bytes
 * are printed hex-encoded with `od` (POSIX, also in busybox) and prefixed `x` (so even an empty
 * value is one field). Sections are framed by `<token> begin <name>` / `<token> end <name> <rc>`.
 */
import { DroverError } from '../../manifests/errors.js';
import { specFields, type DesiredResource, type ResourceKind } from '../../manifests/types.js';
import { normaliseMode } from '../../manifests/modes.js';
import { HOST_SH_LIBRARY } from '../transport/host-sh.js';
import { shellQuote } from '../transport/shell.js';
import type { Fact, PathFact, PathType } from './types.js';

/** Re-exported for fragments: quotes one POSIX sh word (controller/transport/shell.ts). */
export { shellQuote };

/** One probe output line: its tag and the fields after it. */
export interface ProbeRecord {
  tag: string;
  fields: string[];
}

/** The records of one section and the exit status its sub-shell reported. */
export interface ProbeSection {
  name: string;
  records: ProbeRecord[];
  status: number;
}

/** Inputs a fragment builder may use beyond its own resources. */
export interface FragmentContext {
  /** Every resource of the host (files look up the secrets their content refers to). */
  all: readonly DesiredResource[];
  /** Cap, in seconds, on each `unless` / `onlyIf` guard. */
  guardTimeoutSec: number;
}

/**
 * A fact domain: which kinds it observes, the sh fragment that gathers them (pure: resources ->
 * sh text, records tagged with the resource's index in `resources`), and the parser of its section
 * (pure: records -> one Fact per resource id; throws E_PROBE_OUTPUT naming the section).
 */
export interface FactDomain {
  readonly section: string;
  readonly kinds: readonly ResourceKind[];
  fragment(resources: readonly DesiredResource[], context: FragmentContext): string;
  parse(section: ProbeSection, resources: readonly DesiredResource[]): Record<string, Fact>;
}

/** The lstat fields every `_stat` record carries, in order. */
export const STAT_FORMAT = '%f %a %u %g %s %U %G';

/**
 * sh functions available to every fragment (names start with `_` to stay clear of user values; `_N` holds
 * a newline). They fork as little as possible (a probe's cost on the host is mostly processes): the batched
 * `_stat` / `_sha` run their tool once in a command substitution and split its lines with the shell's own
 * field splitting (IFS=newline, globbing off), no pipe into a `while read` sub-shell.
 * The host library (controller/transport/host-sh.ts: `_hx`, `_tmo`, `_asuser`, `_runas`) comes first.
 * - `_stat TAG "I J " PATH...`: one `TAG I <lstat>` record per path (batched; per path if one vanished,
 *   then `TAG I gone` for a missing one);
 * - `_sha TAG "I J " PATH...`: `TAG I <sha256>` per regular file (batched, same fallback);
 * - `_sha1 TAG I PATH`: the same for one path, read through stdin (names holding a newline);
 * - `_ent DB KEY`: getent, or a lookup in /etc/DB where getent is missing.
 */
export const SH_LIBRARY = `_N='
'
${HOST_SH_LIBRARY}
_stat() { _t=$1; _i=$2; shift 2
  if _o=$(stat -c '${STAT_FORMAT}' -- "$@" 2>/dev/null); then _S=$IFS; IFS=$_N; set -f
    for _l in $_o; do echo "$_T $_t \${_i%% *} $_l"; _i=\${_i#* }; done; set +f; IFS=$_S
  else
    for _p do _l=$(stat -c '${STAT_FORMAT}' -- "$_p" 2>/dev/null) || _l=gone; echo "$_T $_t \${_i%% *} $_l"; _i=\${_i#* }; done
  fi; }
_sha1() { if _o=$(sha256sum < "$3" 2>/dev/null); then echo "$_T $1 $2 \${_o%% *}"; else echo "$_T $1 $2 gone"; fi; }
_sha() { _t=$1; _i=$2; shift 2
  if _o=$(sha256sum -- "$@" 2>/dev/null); then _S=$IFS; IFS=$_N; set -f
    for _l in $_o; do _h=\${_l%% *}; echo "$_T $_t \${_i%% *} \${_h#\\\\}"; _i=\${_i#* }; done; set +f; IFS=$_S
  else
    for _p do _sha1 "$_t" "\${_i%% *}" "$_p"; _i=\${_i#* }; done
  fi; }
_ent() { if command -v getent >/dev/null 2>&1; then getent "$1" "$2"; else _K=$2 awk -F: '$1 == ENVIRON["_K"] { print; f = 1; exit } END { exit !f }' "/etc/$1"; fi; }
`;

/** The error a parser throws on output it cannot read (a bug or a broken host tool). */
export function probeOutputError(section: string, message: string): DroverError {
  return new DroverError('E_PROBE_OUTPUT', `probe section "${section}": ${message}`);
}

/** Decodes an `x<hex>` field to a string (invalid UTF-8 bytes become `\xNN`); throws on a malformed field. */
export function decodeHexField(section: string, field: string | undefined): string {
  if (field === undefined || !/^x(?:[0-9a-f]{2})*$/.test(field)) {
    throw probeOutputError(section, `expected a hex field, got ${JSON.stringify(field)}`);
  }
  return bytesToText(Buffer.from(field.slice(1), 'hex'));
}

/** UTF-8 text of `bytes`; each byte that is not part of valid UTF-8 is written `\xNN`. */
export function bytesToText(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (!text.includes('\uFFFD') || Buffer.from(text, 'utf8').equals(bytes)) return text;
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const len = utf8SequenceLength(bytes, i);
    out += len > 0 ? bytes.subarray(i, i + len).toString('utf8') : `\\x${bytes[i]!.toString(16).padStart(2, '0')}`;
    i += Math.max(len, 1);
  }
  return out;
}

function utf8SequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  const len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (len <= 1 || i + len > b.length) return len === 1 ? 1 : 0;
  const chunk = b.subarray(i, i + len);
  return Buffer.from(chunk.toString('utf8'), 'utf8').equals(chunk) ? len : 0;
}

const TYPE_BITS: Record<number, PathType> = { 0o100000: 'file', 0o040000: 'directory', 0o120000: 'symlink' };

/** Turns the fields of a `_stat` record (after the index) into a PathFact; `gone` means absent. */
export function parseStatFields(section: string, fields: readonly string[]): PathFact {
  if (fields.length === 1 && fields[0] === 'gone') return { exists: false, type: 'absent' };
  const [raw, perm, uid, gid, size, owner, group] = fields;
  if (fields.length !== 7 || !/^[0-9a-f]+$/.test(raw!) || !/^[0-7]{1,4}$/.test(perm!) || ![uid, gid, size].every(isDigits)) {
    throw probeOutputError(section, `malformed stat record: ${fields.join(' ')}`);
  }
  const type = TYPE_BITS[parseInt(raw!, 16) & 0o170000] ?? 'other';
  return {
    exists: true, type, mode: normaliseMode(perm!), owner: owner!, group: group!,
    uid: Number(uid), gid: Number(gid), size: Number(size),
  };
}

/** True for a non-empty string of ASCII digits. */
export function isDigits(value: string | undefined): boolean {
  return value !== undefined && /^\d+$/.test(value);
}

/** Checks a `<64 hex>` sha256 field. */
export function parseSha(section: string, field: string | undefined): string {
  if (field === undefined || !/^[0-9a-f]{64}$/.test(field)) throw probeOutputError(section, `malformed sha256 ${JSON.stringify(field)}`);
  return field;
}

/**
 * Groups a section's records by resource index (the first field after the tag), checking the
 * index names one of `count` resources. Returns, per index, the records in output order.
 */
export function recordsByIndex(section: ProbeSection, count: number): ProbeRecord[][] {
  const out: ProbeRecord[][] = Array.from({ length: count }, () => []);
  for (const r of section.records) {
    const idx = r.fields[0];
    if (!isDigits(idx) || Number(idx) >= count) throw probeOutputError(section.name, `record "${r.tag}" names no resource: ${r.fields.join(' ')}`);
    out[Number(idx)]!.push({ tag: r.tag, fields: r.fields.slice(1) });
  }
  return out;
}

/** The one record with `tag` among `records`, or undefined; throws if there are several. */
export function single(section: string, records: readonly ProbeRecord[], tag: string): ProbeRecord | undefined {
  const found = records.filter((r) => r.tag === tag);
  if (found.length > 1) throw probeOutputError(section, `record "${tag}" repeated`);
  return found[0];
}

/** The one record with `tag`; throws E_PROBE_OUTPUT naming the resource when it is missing. */
export function required(section: string, records: readonly ProbeRecord[], tag: string, id: string): ProbeRecord {
  const found = single(section, records, tag);
  if (!found) throw probeOutputError(section, `no "${tag}" record for ${id}`);
  return found;
}

/** A string field of a resource spec, or undefined when absent / not a string. */
export function specString(resource: DesiredResource, field: string): string | undefined {
  const value = specFields(resource)[field];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** Quoted sh word for `value` (alias of shellQuote, short for fragments). */
export const q = shellQuote;

/**
 * sh lines printing, for each path (tagged with its index), `a I` when nothing is there or
 * `s I <lstat>` (one batched stat for the paths that exist).
 */
export function statLines(paths: readonly string[]): string[] {
  const lines = ['set --; _si='];
  paths.forEach((p, i) => {
    lines.push(`_p=${q(p)}; if [ -e "$_p" ] || [ -L "$_p" ]; then _si="\${_si}${i} "; set -- "$@" "$_p"; else echo "$_T a ${i}"; fi`);
  });
  lines.push('[ $# -gt 0 ] && _stat s "$_si" "$@"');
  return lines;
}

/** The PathFact of one resource from its `a` / `s` records (exactly one of them must be there). */
export function pathFactOf(section: string, records: readonly ProbeRecord[], id: string): PathFact {
  const absent = single(section, records, 'a');
  const stat = single(section, records, 's');
  if (absent && stat) throw probeOutputError(section, `${id} reported both absent and present`);
  if (absent) return { exists: false, type: 'absent' };
  return parseStatFields(section, required(section, records, 's', id).fields);
}
