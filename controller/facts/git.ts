/**
 * Git checkout facts: HEAD commit, branch, origin URL and whether tracked files changed.
 * Runs git with `safe.directory=*` (the probe may be root, the checkout owned by an app user) and
 * GIT_OPTIONAL_LOCKS=0 (so `git status` never rewrites the index as root).
 */
import { scrubSecrets } from '../../manifests/errors.js';
import type { DesiredResource } from '../../manifests/types.js';
import {
  decodeHexField, probeOutputError, q, recordsByIndex, specString,
  type FactDomain, type ProbeSection,
} from './common.js';
import type { Fact, GitFact } from './types.js';

const GIT = `git -c safe.directory='*'`;

/**
 * Picks the commit a ref names from `git ls-remote` output: a branch, else a peeled tag, else a
 * tag, else an exact ref name (HEAD). The ref comes in ENVIRON so no escape processing applies.
 */
const PICK_REF_AWK = '{ r = ENVIRON["_R"] } $2 == "refs/heads/" r { h = $1 } $2 == "refs/tags/" r "^{}" { p = $1 } $2 == "refs/tags/" r { t = $1 } $2 == r { x = $1 } END { print (h != "" ? h : (p != "" ? p : (t != "" ? t : x))) }';

/** What git's ssh needs of a git resource. */
export interface GitSsh {
  identityFile?: string | undefined;
  /** known_hosts lines: when given, the server's key must be one of them. */
  knownHosts?: readonly string[] | undefined;
}

/**
 * sh text setting GIT_SSH_COMMAND for a git resource (empty when git's own ssh will do), shared by the
 * probe and apply: the identityFile, and with `knownHosts` only those keys (StrictHostKeyChecking=yes
 * against the file named by the sh variable `knownHostsVar`, which writeKnownHosts fills); without them
 * `unknownKeys` decides (the probe never asks: BatchMode; apply with an identityFile accepts a new key, never a
 * changed one).
 */
export function gitSshEnv(ssh: GitSsh, knownHostsVar: string, unknownKeys: 'batch' | 'accept-new'): string {
  const words = ['ssh'];
  if (ssh.identityFile !== undefined) words.push('-i', q(ssh.identityFile), '-o', 'IdentitiesOnly=yes');
  if (unknownKeys === 'batch') words.push('-o', 'BatchMode=yes');
  if (ssh.knownHosts !== undefined) {
    words.push('-o', 'StrictHostKeyChecking=yes', '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'UserKnownHostsFile=');
    return `GIT_SSH_COMMAND=${q(words.join(' '))}"$${knownHostsVar}"`;
  }
  // As before knownHosts existed: accept-new only with an identityFile (a deploy key over ssh).
  if (unknownKeys === 'accept-new' && ssh.identityFile !== undefined) words.push('-o', 'StrictHostKeyChecking=accept-new');
  return words.length === 1 ? '' : `GIT_SSH_COMMAND=${q(words.join(' '))}`;
}

/** sh text writing `lines` to a new temp file readable by any user (public keys), named by `$<variable>`. */
export function writeKnownHosts(lines: readonly string[], variable: string): string {
  return `${variable}=$(mktemp) && printf '%s\\n' ${lines.map(q).join(' ')} > "$${variable}" && chmod 0644 "$${variable}"`;
}

function gitSshOf(r: DesiredResource): GitSsh {
  return { identityFile: specString(r, 'identityFile'), knownHosts: r.kind === 'git' ? r.spec.knownHosts : undefined };
}

/** Line resolving the desired ref on the remote (a network call, capped at 15 s): `gh I <commit|->`. */
function remoteHeadLine(r: DesiredResource, i: number): string | undefined {
  const repo = specString(r, 'repo');
  const ref = specString(r, 'ref') ?? 'HEAD';
  if (repo === undefined || /^[0-9a-f]{40}$/.test(ref)) return undefined;
  const ssh = gitSshOf(r);
  const env = gitSshEnv(ssh, '_kh', 'batch');
  const cap = 'if command -v timeout >/dev/null 2>&1; then _to="timeout 15"; else _to=; fi';
  const known = ssh.knownHosts === undefined ? '' : `${writeKnownHosts(ssh.knownHosts, '_kh')}; `;
  const cleanup = ssh.knownHosts === undefined ? '' : 'rm -f -- "$_kh"; ';
  return `  ${cap}; ${known}_rh=$(${env}${env ? ' ' : ''}GIT_TERMINAL_PROMPT=0 $_to ${GIT} ls-remote -- ${q(repo)} ${q(ref)} ${q(`${ref}^{}`)} 2>/dev/null | _R=${q(ref)} awk ${q(PICK_REF_AWK)}); ${cleanup}echo "$_T gh ${i} \${_rh:--}"`;
}

/**
 * The git fragment: `gm` (no git on the host), then per resource `ga I` (absent), `ge I` (not a repo) or
 * `gr I <head|-> x<branch> x<url> 0|1`, followed for checkouts by `gh I <commit|->`: what the desired ref
 * resolves to on the remote (not for refs that are commit ids).
 */
export function gitFragment(resources: readonly DesiredResource[]): string {
  const lines = [
    'export GIT_OPTIONAL_LOCKS=0',
    'command -v git >/dev/null 2>&1 || echo "$_T gm"',
  ];
  resources.forEach((r, i) => {
    const p = q(specString(r, 'path') ?? r.key);
    const g = `${GIT} -C ${p}`;
    lines.push(
      `if [ -e ${p} ] || [ -L ${p} ]; then if [ -e ${p}/.git ] && command -v git >/dev/null 2>&1; then`,
      `  _h=$(${g} rev-parse -q --verify HEAD 2>/dev/null) || _h=-`,
      `  _b=$(${g} symbolic-ref -q --short HEAD 2>/dev/null | _hx); _u=$(${g} config --get remote.origin.url 2>/dev/null | _hx)`,
      `  if [ -n "$(${g} status --porcelain --untracked-files=no 2>/dev/null | head -c 1)" ]; then _d=1; else _d=0; fi`,
      `  echo "$_T gr ${i} \${_h:--} x$_b x$_u $_d"`,
      ...[remoteHeadLine(r, i)].filter((l): l is string => l !== undefined),
      `  else echo "$_T ge ${i}"; fi; else echo "$_T ga ${i}"; fi`,
    );
  });
  return lines.join('\n');
}

function stripNewline(text: string): string {
  return text.replace(/\n$/, '');
}

function repoFact(section: string, fields: readonly string[], gitMissing: boolean): GitFact {
  const [head, branch, url, dirty] = fields;
  if (fields.length !== 4 || !(head === '-' || /^[0-9a-f]{40,64}$/.test(head!)) || !(dirty === '0' || dirty === '1')) {
    throw probeOutputError(section, `malformed git record: ${fields.join(' ')}`);
  }
  const fact: GitFact = { kind: 'git', exists: true, isRepo: true, dirty: dirty === '1' };
  if (head !== '-') fact.head = head;
  const b = stripNewline(decodeHexField(section, branch));
  if (b !== '') fact.branch = b;
  const u = stripNewline(decodeHexField(section, url));
  if (u !== '') fact.remoteUrl = scrubSecrets(u);
  if (gitMissing) fact.gitMissing = true;
  return fact;
}

/** Parses the git section into a GitFact per git resource. */
export function parseGit(section: ProbeSection, resources: readonly DesiredResource[]): Record<string, Fact> {
  const gitMissing = section.records.some((r) => r.tag === 'gm');
  const byIndex = recordsByIndex({ ...section, records: section.records.filter((r) => r.tag !== 'gm') }, resources.length);
  const out: Record<string, Fact> = {};
  resources.forEach((r, i) => {
    const all = byIndex[i]!;
    const records = all.filter((rec) => rec.tag !== 'gh');
    if (records.length !== 1) throw probeOutputError(section.name, `expected one record for ${r.id}, got ${records.length}`);
    const { tag, fields } = records[0]!;
    const remote = all.find((rec) => rec.tag === 'gh')?.fields[0];
    const base: GitFact = { kind: 'git', exists: tag !== 'ga', isRepo: false, dirty: false };
    if (gitMissing) base.gitMissing = true;
    if (tag === 'gr') {
      const fact = repoFact(section.name, fields, gitMissing);
      if (remote !== undefined && /^[0-9a-f]{40,64}$/.test(remote)) fact.remoteHead = remote;
      out[r.id] = fact;
    }
    else if (tag === 'ga' || tag === 'ge') out[r.id] = base;
    else throw probeOutputError(section.name, `unknown git record "${tag}"`);
  });
  return out;
}

/** The git domain. */
export const gitDomain: FactDomain = {
  section: 'git',
  kinds: ['git'],
  fragment: (resources) => gitFragment(resources),
  parse: parseGit,
};
