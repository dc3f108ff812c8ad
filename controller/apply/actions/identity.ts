/**
 * Actions of identity kinds: user, group (shadow-utils), secret (generated once on the host, never
 * printed, never regenerated) and ssh_key (ssh-keygen on the host as the owner, never regenerated).
 */
import type { DesiredResource } from '../../../manifests/types.js';
import type { UserFact } from '../../facts/types.js';
import { defaultSecretPath, secretPath } from '../../facts/files.js';
import type { SecretResource } from '../../../schema/generated/resource.js';
import type { PlanStep } from '../../plan/types.js';
import type { ActionScript } from '../types.js';
import { fail, factOf, field, invalid, lines, modeWord, nameWord, pathOf, q, type ActionContext } from './common.js';
import { putCommand } from './files.js';

/**
 * A declared uid/gid as a number (undefined when not declared). Throws E_APPLY_INVALID for anything but
 * decimal digits: the value goes to useradd/groupadd, where `10 -o` would be two options.
 */
function numericId(resource: DesiredResource, name: 'uid' | 'gid'): number | undefined {
  const value = field(resource, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,10}$/.test(value)) throw invalid(resource, `${name} ${JSON.stringify(value)} is not a number`);
  return Number(value);
}

function userOptions(resource: DesiredResource<'user'>, fact: UserFact | undefined): string[] {
  const spec = resource.spec;
  const changed = <T>(want: T | undefined, have: T | undefined): want is T => want !== undefined && (fact === undefined || want !== have);
  const words: string[] = [];
  const uid = numericId(resource, 'uid');
  const gid = numericId(resource, 'gid');
  if (changed(uid, fact?.uid)) words.push('-u', q(String(uid)));
  if (spec.group !== undefined && changed(spec.group, fact?.primaryGroup)) words.push('-g', q(spec.group));
  else if (spec.group === undefined && changed(gid, fact?.gid)) words.push('-g', q(String(gid)));
  if (spec.groups !== undefined && (fact === undefined || groupsDiffer(spec.groups, fact))) words.push('-G', q(spec.groups.join(',') || ''));
  if (changed(spec.shell, fact?.shell)) words.push('-s', q(spec.shell));
  if (changed(spec.home, fact?.home)) words.push('-d', q(spec.home));
  if (changed(spec.comment, fact?.comment)) words.push('-c', q(spec.comment));
  return words;
}

function groupsDiffer(want: readonly string[], fact: UserFact): boolean {
  const have = fact.groups;
  return want.some((g) => g !== fact.primaryGroup && !have.includes(g)) || have.some((g) => !want.includes(g));
}

/** user: useradd (system, home, shell, groups), usermod for what differs, userdel (home kept) when absent. */
export function userAction(resource: DesiredResource<'user'>, step: PlanStep, context: ActionContext): ActionScript {
  const spec = resource.spec;
  const name = q(spec.name);
  if (spec.state === 'absent') return { script: `userdel -- ${name}` };
  const fact = factOf(context, resource, 'user');
  if (step.action === 'create' || !fact?.exists) {
    const words = ['useradd', ...userOptions(resource, undefined)];
    if (spec.system === true) words.push('-r');
    words.push((spec.createHome ?? spec.system !== true) ? '-m' : '-M');
    return { script: `${words.join(' ')} -- ${name}` };
  }
  const options = userOptions(resource, fact);
  return { script: options.length > 0 ? `usermod ${options.join(' ')} -- ${name}` : ':' };
}

/** group: groupadd / groupmod -g / groupdel. */
export function groupAction(resource: DesiredResource<'group'>, step: PlanStep): ActionScript {
  const spec = resource.spec;
  const name = q(spec.name);
  if (spec.state === 'absent') return { script: `groupdel -- ${name}` };
  const id = numericId(resource, 'gid');
  const gid = id === undefined ? [] : ['-g', q(String(id))];
  if (step.action === 'create') return { script: ['groupadd', ...gid, ...(spec.system ? ['-r'] : []), '--', name].join(' ') };
  return { script: gid.length > 0 ? `groupmod ${gid.join(' ')} -- ${name}` : ':' };
}

const CHARSETS: Record<NonNullable<SecretResource['charset']>, string> = {
  alnum: 'A-Za-z0-9', hex: '0-9a-f', base64url: 'A-Za-z0-9_-', printable: '!-~',
};

/**
 * secret: when absent, `length` random characters of `charset` from /dev/urandom into a temp file whose
 * mode and owner are set before any byte lands, then hard-linked into place (never replaces a file that
 * appeared meanwhile). An existing secret only gets its mode and owner fixed. The value is never printed.
 */
export function secretAction(resource: DesiredResource<'secret'>, _step: PlanStep, context: ActionContext): ActionScript {
  const spec = resource.spec;
  const path = secretPath(spec.name, context.desired.resources);
  const p = q(path);
  const length = Number(spec.length ?? 50);
  if (!Number.isInteger(length) || length < 1 || length > 65536) throw invalid(resource, `length ${String(spec.length)} is out of range`);
  const mode = field(resource, 'mode') === undefined ? '0600' : modeWord(resource);
  const owner = nameWord(resource, 'owner');
  const group = nameWord(resource, 'group');
  const parent = path === defaultSecretPath(spec.name) ? 'mkdir -p -- "$_d"' : `_isdir "$_d" || ${fail(`parent directory of ${path} does not exist`)}`;
  if (resource.value) {
    // The repository's value (secrets/<name>.age): shipped in the run's tar, written like a file (mode first).
    const bytes = Buffer.from(`${resource.value.reveal()}\n`, 'utf8');
    return { script: lines(`_parent ${p}`, parent, putCommand({ path, bytes, mode, owner, group, secrets: [], context })) };
  }
  return { script: lines(
    `_parent ${p}`,
    parent,
    `if [ -e ${p} ] || [ -L ${p} ]; then chmod ${mode} ${p}; _owner ${p} ${owner} ${group}; exit 0; fi`,
    `_mktmp ${p}; chmod ${mode} "$_TMP"; _owner "$_TMP" ${owner} ${group}`,
    `LC_ALL=C tr -dc ${q(CHARSETS[spec.charset ?? 'alnum'])} < /dev/urandom 2>/dev/null | head -c ${length} > "$_TMP" || :`,
    `[ "$(wc -c < "$_TMP")" -eq ${length} ] || ${fail('could not read random characters from /dev/urandom')}`,
    `echo >> "$_TMP"`,
    `ln -- "$_TMP" ${p}`,
    'rm -f -- "$_TMP"; _TMP=',
  ) };
}

/**
 * ssh_key: when the private key is absent, ssh-keygen (no passphrase) runs as the owner in a temp dir next
 * to the key (the parent is created 0700 for the owner when missing); the pair is then renamed into place,
 * public half first. An existing key is never regenerated, only its mode/owner fixed. Records the public half.
 */
export function sshKeyAction(resource: DesiredResource<'ssh_key'>): ActionScript {
  const spec = resource.spec;
  const path = pathOf(resource);
  const p = q(path);
  const pub = q(`${path}.pub`);
  const owner = nameWord(resource, 'owner');
  const group = nameWord(resource, 'group');
  const type = spec.type ?? 'ed25519';
  const keygen = ['ssh-keygen', '-q', '-t', type, '-N', "''", '-f', '"$_TMP/k"'];
  if (spec.bits !== undefined) keygen.push('-b', String(Number(spec.bits)));
  if (spec.comment !== undefined) keygen.push('-C', q(spec.comment));
  return { script: lines(
    `_parent ${p}`,
    `if [ -e ${p} ] || [ -L ${p} ]; then chmod 0600 ${p}; _owner ${p} ${owner} ${group}; if [ -e ${pub} ]; then _owner ${pub} ${owner} ${group}; fi`,
    'else',
    `  if ! _isdir "$_d"; then mkdir -p -m 0700 -- "$_d"; _owner "$_d" ${owner} ${group}; fi`,
    '  _TMP=$(mktemp -d "$_d/.drover-tmp.XXXXXX")',
    `  _owner "$_TMP" ${owner} ''`,
    `  _asuser ${owner} ${keygen.join(' ')}`,
    `  chmod 0600 "$_TMP/k"; _owner "$_TMP/k" ${owner} ${group}; _owner "$_TMP/k.pub" ${owner} ${group}`,
    `  mv -f -- "$_TMP/k.pub" ${pub}; mv -f -- "$_TMP/k" ${p}; rmdir -- "$_TMP"; _TMP=`,
    'fi',
    `if [ -f ${pub} ]; then _rec k "$_I" "x$(head -c 16384 < ${pub} | _hx)"; fi`,
  ) };
}
