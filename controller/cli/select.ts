import { closest } from 'fastest-levenshtein';
import { DroverError } from '../../manifests/errors.js';
import type { DesiredState } from '../../manifests/types.js';

/** Host filters of plan/reconcile: names (repeatable, comma lists), a group, a state. */
export interface HostFilter {
  host?: string[];
  group?: string;
  state?: string;
}

/**
 * Selects the hosts matching every given filter. Throws DroverError E_USAGE for a host or group
 * name the repository does not have (with a did-you-mean).
 */
export function selectHosts(hosts: DesiredState[], filter: HostFilter): DesiredState[] {
  const names = (filter.host ?? []).flatMap((h) => h.split(',')).map((h) => h.trim()).filter(Boolean);
  const known = hosts.map((h) => h.host.name);
  for (const name of names) {
    if (!known.includes(name)) throw new DroverError('E_USAGE', `unknown host "${name}"${suggest(name, known)}`);
  }
  if (filter.group !== undefined) {
    const groups = [...new Set(hosts.flatMap((h) => h.host.groups))];
    if (!groups.includes(filter.group)) throw new DroverError('E_USAGE', `unknown group "${filter.group}"${suggest(filter.group, groups)}`);
  }
  return hosts.filter((h) =>
    (names.length === 0 || names.includes(h.host.name)) &&
    (filter.group === undefined || h.host.groups.includes(filter.group)) &&
    (filter.state === undefined || h.host.state === filter.state));
}

function suggest(name: string, candidates: string[]): string {
  if (candidates.length === 0) return '';
  return `; did you mean "${closest(name, candidates)}"?`;
}

/** Collects a repeatable option's values (commander helper). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
