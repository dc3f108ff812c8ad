import type { DesiredResource } from '../../../manifests/types.js';
import type { GroupFact, SecretFact, SshKeyFact, UserFact } from '../../facts/types.js';
import { UNCHANGED, type Verdict } from '../types.js';
import { normaliseMode, updateIf } from './common.js';

/** Compares a user: exists, uid, primary group, supplementary groups, shell, home, comment. */
export function compareUser(resource: DesiredResource<'user'>, fact: UserFact): Verdict {
  const spec = resource.spec;
  if (spec.state === 'absent') return fact.exists ? { action: 'delete', reasons: [`user ${spec.name} present -> absent`] } : UNCHANGED;
  if (!fact.exists) return { action: 'create', reasons: [`user ${spec.name} absent -> present`] };
  const reasons: string[] = [];
  if (spec.uid !== undefined && fact.uid !== Number(spec.uid)) reasons.push(`uid ${fact.uid} -> ${spec.uid}`);
  if (spec.gid !== undefined && fact.gid !== Number(spec.gid)) reasons.push(`gid ${fact.gid} -> ${spec.gid}`);
  if (spec.group !== undefined && fact.primaryGroup !== spec.group) reasons.push(`primary group ${fact.primaryGroup} -> ${spec.group}`);
  if (spec.groups !== undefined) reasons.push(...groupReasons(spec.groups, fact));
  if (spec.shell !== undefined && fact.shell !== spec.shell) reasons.push(`shell ${fact.shell} -> ${spec.shell}`);
  if (spec.home !== undefined && fact.home !== spec.home) reasons.push(`home ${fact.home} -> ${spec.home}`);
  if (spec.comment !== undefined && fact.comment !== spec.comment) reasons.push(`comment "${fact.comment}" -> "${spec.comment}"`);
  return updateIf(reasons);
}

/** Supplementary groups are exact (schema): missing ones are added, unlisted ones removed. */
function groupReasons(want: readonly string[], fact: UserFact): string[] {
  const missing = want.filter((g) => g !== fact.primaryGroup && !fact.groups.includes(g)).map((g) => `+${g}`);
  const extra = fact.groups.filter((g) => !want.includes(g)).map((g) => `-${g}`);
  return missing.length + extra.length > 0 ? [`groups ${[...missing, ...extra].join(', ')}`] : [];
}

/** Compares a group: exists, gid. */
export function compareGroup(resource: DesiredResource<'group'>, fact: GroupFact): Verdict {
  const spec = resource.spec;
  if (spec.state === 'absent') return fact.exists ? { action: 'delete', reasons: [`group ${spec.name} present -> absent`] } : UNCHANGED;
  if (!fact.exists) return { action: 'create', reasons: [`group ${spec.name} absent -> present`] };
  return updateIf(spec.gid !== undefined && fact.gid !== Number(spec.gid) ? [`gid ${fact.gid} -> ${spec.gid}`] : []);
}

/**
 * Compares a secret: existence and file attributes; a generated one never by value, one the
 * repository keeps by whether the host's value matches (never showing either).
 */
export function compareSecret(resource: DesiredResource<'secret'>, fact: SecretFact): Verdict {
  const spec = resource.spec;
  const kept = resource.value !== undefined ? `secrets/${spec.name}.age` : undefined;
  if (!fact.exists) {
    return { action: 'create', reasons: [kept ? `secret ${spec.name} absent -> written from ${kept}` : `secret ${spec.name} absent -> generated on the host (${spec.length ?? 50} characters)`] };
  }
  const reasons: string[] = [];
  if (kept && fact.matchesRepository !== true) reasons.push(`value differs from ${kept} -> replaced (values not shown)`);
  const mode = normaliseMode(spec.mode ?? '0600');
  if (fact.mode !== mode) reasons.push(`mode ${fact.mode} -> ${mode}`);
  if (spec.owner !== undefined && fact.owner !== spec.owner) reasons.push(`owner ${fact.owner} -> ${spec.owner}`);
  if (spec.group !== undefined && fact.group !== spec.group) reasons.push(`group ${fact.group} -> ${spec.group}`);
  return updateIf(reasons);
}

/** Compares an SSH key pair: generated when absent, never regenerated. */
export function compareSshKey(resource: DesiredResource<'ssh_key'>, fact: SshKeyFact): Verdict {
  const spec = resource.spec;
  if (!fact.exists) return { action: 'create', reasons: [`ssh key ${spec.path} absent -> generated on the host (${spec.type ?? 'ed25519'})`] };
  const reasons: string[] = [];
  if (spec.owner !== undefined && fact.owner !== spec.owner) reasons.push(`owner ${fact.owner} -> ${spec.owner}`);
  if (fact.mode !== undefined && fact.mode !== '0600') reasons.push(`mode ${fact.mode} -> 0600`);
  return updateIf(reasons);
}
