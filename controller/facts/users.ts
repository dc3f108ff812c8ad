/**
 * User and group facts from the name service (getent, falling back to /etc/passwd and /etc/group)
 * and `id -Gn` for a user's groups. Entries are printed hex-encoded (GECOS may hold anything).
 */
import type { DesiredResource } from '../../manifests/types.js';
import {
  decodeHexField, isDigits, probeOutputError, q, recordsByIndex, required, specString,
  type FactDomain, type ProbeSection,
} from './common.js';
import type { Fact, GroupFact, UserFact } from './types.js';

function accountName(r: DesiredResource): string {
  return specString(r, 'name') ?? r.key;
}

/** The users fragment: `u I x<passwd entry> x<id -Gn>` / `g I x<group entry>`, or `u I -` / `g I -` when unknown. */
export function usersFragment(resources: readonly DesiredResource[]): string {
  return resources.map((r, i) => {
    const tag = r.kind === 'user' ? 'u' : 'g';
    const name = accountName(r);
    // A leading '-' would be read as an option; no such account can exist.
    if (name === '' || name.startsWith('-') || name.includes('\n')) return `echo "$_T ${tag} ${i} -"`;
    const db = r.kind === 'user' ? 'passwd' : 'group';
    const groups = r.kind === 'user' ? ` x$(id -Gn ${q(name)} 2>/dev/null | _hx)` : '';
    return `if _e=$(_ent ${db} ${q(name)} 2>/dev/null); then echo "$_T ${tag} ${i} x$(printf '%s' "$_e" | _hx)${groups}"; else echo "$_T ${tag} ${i} -"; fi`;
  }).join('\n');
}

function entryFields(section: string, entry: string, count: number): string[] {
  const fields = entry.split('\n')[0]!.split(':');
  if (fields.length < count) throw probeOutputError(section, `malformed account entry ${JSON.stringify(entry)}`);
  return fields;
}

function userFact(section: string, name: string, fields: readonly string[]): UserFact {
  if (fields[0] === '-') return { kind: 'user', exists: false, groups: [] };
  const [login, , uid, gid, comment, home, shell] = entryFields(section, decodeHexField(section, fields[0]), 7);
  if (login !== name) return { kind: 'user', exists: false, groups: [] };
  if (!isDigits(uid) || !isDigits(gid)) throw probeOutputError(section, `malformed uid/gid for user ${name}`);
  const ids = decodeHexField(section, fields[1]).trim().split(/\s+/).filter((g) => g !== '');
  const fact: UserFact = {
    kind: 'user', exists: true, uid: Number(uid), gid: Number(gid), comment: comment!, home: home!, shell: shell!,
    groups: [...new Set(ids.slice(1))],
  };
  if (ids[0] !== undefined) fact.primaryGroup = ids[0];
  return fact;
}

function groupFact(section: string, name: string, fields: readonly string[]): GroupFact {
  if (fields[0] === '-') return { kind: 'group', exists: false, members: [] };
  const [group, , gid, members] = entryFields(section, decodeHexField(section, fields[0]), 4);
  if (group !== name) return { kind: 'group', exists: false, members: [] };
  if (!isDigits(gid)) throw probeOutputError(section, `malformed gid for group ${name}`);
  return { kind: 'group', exists: true, gid: Number(gid), members: members!.split(',').filter((m) => m !== '') };
}

/** Parses the users section into a UserFact / GroupFact per resource. */
export function parseUsers(section: ProbeSection, resources: readonly DesiredResource[]): Record<string, Fact> {
  const byIndex = recordsByIndex(section, resources.length);
  const out: Record<string, Fact> = {};
  resources.forEach((r, i) => {
    const tag = r.kind === 'user' ? 'u' : 'g';
    const { fields } = required(section.name, byIndex[i]!, tag, r.id);
    out[r.id] = r.kind === 'user' ? userFact(section.name, accountName(r), fields) : groupFact(section.name, accountName(r), fields);
  });
  return out;
}

/** The users domain (user, group). */
export const usersDomain: FactDomain = {
  section: 'users',
  kinds: ['user', 'group'],
  fragment: (resources) => usersFragment(resources),
  parse: parseUsers,
};
