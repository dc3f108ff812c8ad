import { DroverError } from '../../manifests/errors.js';
import type { DesiredResource, ResourceKind } from '../../manifests/types.js';

/**
 * Kind order (SPEC §3): identities first, then places, packages, content, services, commands.
 * A package comes after users and directories so that owners exist; commands come last
 * because they usually need everything else (a virtualenv needs the checkout).
 */
export const KIND_ORDER: readonly ResourceKind[] = [
  'group', 'user', 'directory', 'package', 'secret', 'ssh_key', 'git',
  'file', 'symlink', 'line', 'cron', 'sysctl', 'service', 'command',
];

const rank = new Map(KIND_ORDER.map((k, i) => [k, i]));

/**
 * What each resource must come after: its `dependsOn`, and for a command, the resources that notify
 * it (a notified command runs in its own work step, so after its notifiers, whatever the declaration order).
 */
function prerequisites(resources: readonly DesiredResource[]): Map<string, string[]> {
  const index = new Set(resources.map((r) => r.id));
  const out = new Map(resources.map((r) => [r.id, r.dependsOn.filter((d) => index.has(d))]));
  for (const r of resources) {
    for (const target of r.notify) {
      const deps = out.get(target);
      if (target.startsWith('command:') && deps !== undefined && !deps.includes(r.id)) deps.push(r.id);
    }
  }
  return out;
}

/**
 * Orders a host's resources: explicit `dependsOn` (and notifier before notified command) first, then
 * kind order, then declaration order. Deterministic (a stable topological sort).
 * Throws DroverError E_DEPENDENCY_CYCLE naming the cycle.
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
    const cycle = findCycle(resources, prereqs, new Set(out.map((r) => r.id)));
    const viaNotify = cycle.some((id, i) => i > 0 && byId.get(cycle[i - 1] as string)?.dependsOn.includes(id) !== true);
    throw new DroverError('E_DEPENDENCY_CYCLE', `dependsOn cycle: ${cycle.join(' -> ')}${viaNotify ? ' (a notified command runs after its notifiers)' : ''}`);
  }
  return out;
}

/** Finds one cycle among the resources not placed, for the error message. */
function findCycle(resources: readonly DesiredResource[], prereqs: Map<string, string[]>, placed: Set<string>): string[] {
  const byId = new Map(resources.map((r) => [r.id, r]));
  const start = resources.find((r) => !placed.has(r.id));
  const path: string[] = [];
  let current = start;
  while (current && !path.includes(current.id)) {
    path.push(current.id);
    const nextId = prereqs.get(current.id)?.find((d) => !placed.has(d));
    current = nextId === undefined ? undefined : byId.get(nextId);
  }
  return current ? [...path.slice(path.indexOf(current.id)), current.id] : path;
}
