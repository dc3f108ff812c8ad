import { DroverError } from '../../manifests/errors.js';
import { findCycles, prerequisites } from '../../manifests/dependencies.js';
import type { DesiredResource, ResourceKind } from '../../manifests/types.js';

/**
 * Kind order (docs/manifest-reference.md): identities first, then places, packages, content, services, commands.
 * A package comes after users and directories so that owners exist; commands come last
 * because they usually need everything else (a virtualenv needs the checkout).
 */
export const KIND_ORDER: readonly ResourceKind[] = [
  'group', 'user', 'directory', 'package', 'secret', 'ssh_key', 'git',
  'file', 'symlink', 'line', 'cron', 'sysctl', 'service', 'command',
];

const rank = new Map(KIND_ORDER.map((k, i) => [k, i]));

/**
 * Orders a host's resources: explicit `dependsOn` (and notifier before notified command) first, then
 * kind order, then declaration order. Deterministic (a stable topological sort).
 * Throws DroverError E_DEPENDENCY_CYCLE naming the cycle (validation reports cycles first, with their places).
 */
export function orderResources(resources: readonly DesiredResource[]): DesiredResource[] {
  const index = new Map(resources.map((r, i) => [r.id, i]));
  const key = (r: DesiredResource): number => (rank.get(r.kind) ?? 99) * 1_000_000 + (index.get(r.id) ?? 0);
  const prereqs = prerequisites(resources);
  const blockers = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const r of resources) {
    const deps = prereqs.get(r.id) ?? [];
    blockers.set(r.id, deps.length);
    for (const d of deps) dependents.set(d, [...(dependents.get(d) ?? []), r.id]);
  }
  const byId = new Map(resources.map((r) => [r.id, r]));
  const ready = resources.filter((r) => blockers.get(r.id) === 0);
  const out: DesiredResource[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => key(a) - key(b));
    const next = ready.shift() as DesiredResource;
    out.push(next);
    for (const id of dependents.get(next.id) ?? []) {
      const left = (blockers.get(id) ?? 0) - 1;
      blockers.set(id, left);
      if (left === 0) ready.push(byId.get(id) as DesiredResource);
    }
  }
  if (out.length < resources.length) {
    const cycle = findCycles(resources)[0] ?? [];
    const viaNotify = cycle.some((id, i) => i > 0 && byId.get(cycle[i - 1] as string)?.dependsOn.includes(id) !== true);
    throw new DroverError('E_DEPENDENCY_CYCLE', `dependsOn cycle: ${cycle.join(' -> ')}${viaNotify ? ' (a notified command runs after its notifiers)' : ''}`);
  }
  return out;
}
