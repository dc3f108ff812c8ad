/**
 * File, directory and symlink facts: one batched lstat for all paths, one batched sha256sum for
 * regular files, readlink for symlinks, a `find` for recursive directories, and the entries of
 * directories drover owns (`purge`, dir-entries.ts).
 * Files whose desired content holds secret placeholders are hashed after the secret values (read
 * on the host, inside awk) are replaced back by their placeholders: the value never leaves awk.
 */
import type { DesiredResource } from '../../manifests/types.js';
import { DROVER_STATE_DIR } from './drover-state.js';
import {
  decodeHexField, parseSha, pathFactOf, q, recordsByIndex, single, specString, statLines,
  type FactDomain, type FragmentContext, type ProbeRecord, type ProbeSection,
} from './common.js';
import type { DirectoryFact, Fact, FileFact, SymlinkFact } from './types.js';
import { entriesLines, parseEntries } from './dir-entries.js';

/** Where a secret lives on the host when its resource does not say. */
export function defaultSecretPath(name: string): string {
  return `${DROVER_STATE_DIR}/secrets/${name}`;
}

/** Path of the secret named `name` on the host: from its `secret:NAME` resource, else the default. */
export function secretPath(name: string, all: readonly DesiredResource[]): string {
  const resource = all.find((r) => r.kind === 'secret' && r.key === name);
  return (resource && specString(resource, 'path')) ?? defaultSecretPath(name);
}

/**
 * awk program replacing each secret value (first line of the file in ENVIRON _S<i>) by
 * `{{drover-secret:<_N<i>>}}`, literally (index/substr, no regex); output is byte-identical to the
 * input otherwise (_NL says whether the input ended with a newline).
 */
export const MASK_AWK = [
  'function rep(s, a, b,  o, j) { o = ""; while ((j = index(s, a)) > 0) { o = o substr(s, 1, j - 1) b; s = substr(s, j + length(a)) } return o s }',
  'BEGIN { n = 0; for (i = 1; i <= ENVIRON["_SN"] + 0; i++) { f = ENVIRON["_S" i]; v = ""; if ((getline v < f) > 0 && v != "") { n++; val[n] = v; ph[n] = "{{drover-secret:" ENVIRON["_N" i] "}}" } close(f) } }',
  '{ s = $0; for (k = 1; k <= n; k++) s = rep(s, val[k], ph[k]); if (NR > 1) printf "\\n"; printf "%s", s }',
  'END { if (ENVIRON["_NL"] == 1) printf "\\n" }',
].join('\n');

const REGULAR = (p: string): string => `[ -f ${p} ] && [ ! -L ${p} ]`;

function targetPath(r: DesiredResource): string {
  return specString(r, 'path') ?? r.key;
}

function hashLines(resources: readonly DesiredResource[], context: FragmentContext): string[] {
  const lines = ['set --; _hi='];
  const extra: string[] = [];
  resources.forEach((r, i) => {
    if (r.kind !== 'file') return;
    const path = q(targetPath(r));
    const secrets = r.content?.secrets ?? [];
    if (secrets.length > 0) extra.push(maskLine(i, path, secrets, context));
    else if (targetPath(r).includes('\n')) extra.push(`if ${REGULAR(path)}; then _sha1 h ${i} ${path}; fi`);
    else lines.push(`if ${REGULAR(path)}; then _hi="\${_hi}${i} "; set -- "$@" ${path}; fi`);
  });
  lines.push('[ $# -gt 0 ] && _sha h "$_hi" "$@"');
  if (extra.length > 0) lines.push(`_MASK=${q(MASK_AWK)}`, ...extra);
  return lines;
}

function maskLine(i: number, path: string, secrets: readonly string[], context: FragmentContext): string {
  const env = secrets.map((name, k) => `_S${k + 1}=${q(secretPath(name, context.all))} _N${k + 1}=${q(name)}`).join(' ');
  return [
    `if ${REGULAR(path)}; then _nl=0; [ "$(tail -c 1 < ${path} | _hx)" = 0a ] && _nl=1`,
    `  _o=$(_NL=$_nl _SN=${secrets.length} ${env} awk "$_MASK" < ${path} 2>/dev/null | sha256sum); echo "$_T h ${i} \${_o%% *} m"; fi`,
  ].join('\n');
}

function symlinkAndTreeLines(resources: readonly DesiredResource[]): string[] {
  const lines: string[] = [];
  resources.forEach((r, i) => {
    const path = q(targetPath(r));
    if (r.kind === 'symlink') lines.push(`if [ -L ${path} ]; then echo "$_T l ${i} x$(readlink -- ${path} | _hx)"; fi`);
    if (r.kind !== 'directory' || r.spec.recursive !== true) return;
    const tests = [['user', 'owner'], ['group', 'group'], ['perm', 'mode']]
      .filter(([, field]) => specString(r, field!) !== undefined)
      .map(([test, field]) => `! -${test} ${q(specString(r, field!)!)}`);
    if (tests.length === 0) return;
    lines.push(`if [ -d ${path} ] && [ ! -L ${path} ]; then if [ -n "$(find ${path} \\( ${tests.join(' -o ')} \\) -print 2>&1 | head -c 1)" ]; then echo "$_T r ${i} 1"; else echo "$_T r ${i} 0"; fi; fi`);
  });
  return lines;
}

/** The directory holding `path` (`/` for a top-level path). */
export function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

/** `n I` for a wanted file that is absent and whose parent directory is absent too (apply creates it). */
function parentLines(resources: readonly DesiredResource[]): string[] {
  return resources.flatMap((r, i) => {
    if (r.kind !== 'file' || r.spec.state === 'absent') return [];
    const path = q(targetPath(r));
    return [`if [ ! -e ${path} ] && [ ! -L ${path} ] && [ ! -d ${q(parentOf(targetPath(r)))} ]; then echo "$_T n ${i}"; fi`];
  });
}

/** The files fragment: `a I` (absent) or `s I <lstat>`, then `h I <sha256> [m]`, `l I x<target>`, `r I 0|1`, `n I` records. */
export function filesFragment(resources: readonly DesiredResource[], context: FragmentContext): string {
  return [
    ...statLines(resources.map(targetPath)), ...hashLines(resources, context), ...symlinkAndTreeLines(resources), ...parentLines(resources),
    ...entriesLines(resources),
  ].join('\n');
}

function factFor(section: string, r: DesiredResource, records: readonly ProbeRecord[]): Fact {
  const base = pathFactOf(section, records, r.id);
  if (r.kind === 'symlink') {
    const link = single(section, records, 'l');
    const fact: SymlinkFact = { kind: 'symlink', ...base };
    if (link && base.type === 'symlink') fact.target = trimOneNewline(decodeHexField(section, link.fields[0]));
    return fact;
  }
  if (r.kind === 'directory') {
    const tree = single(section, records, 'r');
    const fact: DirectoryFact = { kind: 'directory', ...base };
    if (tree) fact.recursiveDrift = tree.fields[0] === '1';
    const entries = base.type === 'directory' ? parseEntries(section, records) : undefined;
    if (entries) fact.entries = entries;
    return fact;
  }
  const fact: FileFact = { kind: 'file', ...base };
  if (single(section, records, 'n') && !base.exists) fact.parentMissing = true;
  const hash = single(section, records, 'h');
  if (hash && hash.fields[0] !== 'gone' && base.type === 'file') {
    fact.sha256 = parseSha(section, hash.fields[0]);
    if (hash.fields[1] === 'm') fact.secretsMasked = true;
  }
  return fact;
}

/** readlink ends its output with exactly one newline. */
function trimOneNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

/** Parses the files section into a FileFact / DirectoryFact / SymlinkFact per resource. */
export function parseFiles(section: ProbeSection, resources: readonly DesiredResource[]): Record<string, Fact> {
  const byIndex = recordsByIndex(section, resources.length);
  const out: Record<string, Fact> = {};
  resources.forEach((r, i) => {
    out[r.id] = factFor(section.name, r, byIndex[i]!);
  });
  return out;
}

/** The files domain (file, directory, symlink). */
export const filesDomain: FactDomain = {
  section: 'files',
  kinds: ['file', 'directory', 'symlink'],
  fragment: filesFragment,
  parse: parseFiles,
};

/**
 * Shell lines exporting `_S<i>` (file) / `_N<i>` (name) for every secret on the host and `_SN`, as
 * MASK_AWK reads them: the declared secret resources, then every regular file in the default
 * secrets directory (named by its file name).
 */
export function heldSecretsShell(resources: readonly DesiredResource[]): string[] {
  const declared = resources.filter((r) => r.kind === 'secret');
  const lines = ['_SN=0'];
  for (const r of declared) {
    lines.push(`_SN=$((_SN + 1)); export "_S$_SN=${escapeDq(secretPath(r.key, resources))}" "_N$_SN=${escapeDq(r.key)}"`);
  }
  lines.push(
    `for _f in ${q(defaultSecretPath(''))}*; do [ -f "$_f" ] && [ ! -L "$_f" ] || continue`,
    '  _SN=$((_SN + 1)); export "_S$_SN=$_f" "_N$_SN=${_f##*/}"; done; export _SN',
  );
  return lines;
}

/** A value for inside double quotes in sh. */
function escapeDq(text: string): string {
  return text.replace(/[\\"$`]/g, (c) => `\\${c}`);
}
