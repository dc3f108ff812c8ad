import type { DesiredResource } from '../../../manifests/types.js';
import type { CronFact, GitFact, PackageFact, SysctlFact } from '../../facts/types.js';
import { UNCHANGED, type Verdict } from '../types.js';
import { cronFileContent, normaliseSysctl, sha256Hex, sysctlFileContent } from '../managed-files.js';
import { scrubSecrets } from '../../../manifests/errors.js';
import { short, updateIf } from './common.js';

/** True when an installed version satisfies a pin: equal, or the pin is a prefix ending at a separator. */
export function versionMatches(installed: string, pin: string): boolean {
  if (installed === pin) return true;
  const withoutEpoch = installed.replace(/^\d+:/, '');
  return [installed, withoutEpoch].some((v) => v.startsWith(pin) && /^[-+.~:]/.test(v.slice(pin.length)));
}

/** Compares a package: installed, version pin. */
export function comparePackage(resource: DesiredResource<'package'>, fact: PackageFact): Verdict {
  const spec = resource.spec;
  if (spec.state === 'absent') {
    return fact.installed ? { action: 'delete', reasons: [`package ${spec.name} ${fact.version} -> absent`] } : UNCHANGED;
  }
  if (!fact.installed) return { action: 'create', reasons: [`package ${spec.name} absent -> ${spec.version ?? 'present'}`] };
  if (spec.version !== undefined && !versionMatches(fact.version ?? '', spec.version)) {
    return { action: 'update', reasons: [`package ${spec.name} ${fact.version} -> ${spec.version}`] };
  }
  return UNCHANGED;
}

/** Compares a git checkout: present, origin URL, commit against the ref (resolved on the host when the fact has it). */
export function compareGit(resource: DesiredResource<'git'>, fact: GitFact): Verdict {
  const spec = resource.spec;
  const ref = spec.ref ?? 'HEAD';
  // The fact's URL is scrubbed of credentials; compare and show the desired one the same way.
  const repo = scrubSecrets(spec.repo);
  if (!fact.exists) return { action: 'create', reasons: [`checkout absent -> clone ${repo} at ${ref}`] };
  if (!fact.isRepo) return { action: 'update', reasons: [`${spec.path} exists but is not a git checkout`] };
  const reasons: string[] = [];
  if (fact.remoteUrl !== undefined && fact.remoteUrl !== repo) reasons.push(`origin ${fact.remoteUrl} -> ${repo}`);
  const wanted = /^[0-9a-f]{40}$/.test(ref) ? ref : fact.remoteHead;
  if (wanted === undefined) {
    return { action: reasons.length ? 'update' : 'none', reasons, mayChange: `ref ${ref} could not be resolved on the host; fetched at apply time` };
  }
  if (fact.head !== wanted) reasons.push(`commit ${short(fact.head)} -> ${short(wanted)} (${ref})`);
  if (fact.dirty) reasons.push('local changes in tracked files -> discarded');
  return updateIf(reasons);
}

/** Compares a cron entry by the hash of the file drover writes for it. */
export function compareCron(resource: DesiredResource<'cron'>, fact: CronFact): Verdict {
  const spec = resource.spec;
  if (spec.state === 'absent') return fact.exists ? { action: 'delete', reasons: [`cron entry ${spec.name} present -> absent`] } : UNCHANGED;
  const want = sha256Hex(cronFileContent(spec));
  if (!fact.exists) return { action: 'create', reasons: [`cron entry absent -> ${spec.schedule} ${spec.command}`] };
  const reasons = fact.sha256 === want ? [] : [`cron entry content sha256 ${short(fact.sha256)} -> ${short(want)}`];
  if (fact.mode !== undefined && fact.mode !== '0644') reasons.push(`mode ${fact.mode} -> 0644`);
  // cron ignores files in /etc/cron.d not owned by root.
  if (fact.owner !== undefined && fact.owner !== 'root') reasons.push(`owner ${fact.owner} -> root`);
  return updateIf(reasons);
}

/** Compares a sysctl key: the live value and, when persisted, the drover sysctl.d file. */
export function compareSysctl(resource: DesiredResource<'sysctl'>, fact: SysctlFact): Verdict {
  const spec = resource.spec;
  if (!fact.exists) return { action: 'update', reasons: [`sysctl ${spec.key} does not exist on this kernel`] };
  const value = normaliseSysctl(spec.value);
  const reasons: string[] = [];
  if (normaliseSysctl(fact.value ?? '') !== value) reasons.push(`sysctl ${spec.key} ${fact.value} -> ${spec.value}`);
  if (spec.persist !== false && fact.persisted !== sha256Hex(sysctlFileContent(spec.key, String(spec.value)))) {
    reasons.push(fact.persisted === undefined ? `not persisted -> ${fact.persistPath}` : `persisted value in ${fact.persistPath} differs`);
  }
  return updateIf(reasons);
}
