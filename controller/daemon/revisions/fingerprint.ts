/**
 * Which hosts a revision affects: a stable hash of each host's DesiredState. Origins (file, line,
 * column) are left out, so a comment or a reordered file changes no host; everything that reaches
 * the host (resources, contents, tests, hooks, settings, connection fields, repository secret values
 * by their keyed digest) is in.
 */
import { createHash } from 'node:crypto';
import { stableJson } from '../../../manifests/stable-json.js';
import type { DesiredState } from '../../../manifests/types.js';

/** sha256 (hex) of the host's desired state, independent of key order and of source positions. */
export function desiredHash(desired: DesiredState): string {
  return createHash('sha256').update(stableJson(desired)).digest('hex');
}

/**
 * Hosts of `next` whose desired state differs from `previous` (by name -> hash), and hosts of
 * `previous` that are gone. Hosts new in `next` are affected.
 */
export function affectedHosts(previous: ReadonlyMap<string, string>, next: ReadonlyMap<string, string>): { affected: string[]; unaffected: string[]; removed: string[] } {
  const affected: string[] = [];
  const unaffected: string[] = [];
  for (const [host, hash] of next) (previous.get(host) === hash ? unaffected : affected).push(host);
  const removed = [...previous.keys()].filter((h) => !next.has(h));
  return { affected, unaffected, removed };
}

/**
 * sha16 of each resource's desired definition (by resource id), origins left out: a commit that touches a
 * resource changes its fingerprint, one that touches only other resources does not (a Conflict is cleared by it).
 */
export function resourceFingerprints(desired: DesiredState): Map<string, string> {
  return new Map(desired.resources.map((r) => [r.id, createHash('sha256').update(stableJson(r)).digest('hex').slice(0, 16)]));
}
