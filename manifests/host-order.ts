/**
 * `after:` between hosts (a database before its app servers): which hosts each host is applied after,
 * from its own file, its groups and its roles, with `group:NAME` expanded to the group's members; and the
 * checks the schema cannot make: unknown names, and cycles (each reported at the entry that closes it,
 * as file:line:col). What the order means for a rollout is decided in controller/rollout/dependencies.ts.
 */
import { graphCycles } from './dependencies.js';
import type { Inventory } from './inventory.js';
import { didYouMean } from './messages.js';
import type { ProblemList } from './problems.js';
import type { PathSegment, SourceFile } from './read.js';
import type { RawNode } from './raw.js';

/** One `after:` edge of a host: the host it waits for and the entry that says so. */
interface AfterEdge {
  target: string;
  source: SourceFile;
  path: PathSegment[];
}

/** The prefix naming a group in an `after:` entry. */
export const AFTER_GROUP_PREFIX = 'group:';

/**
 * Each host's `after:` hosts (sorted, without duplicates; hosts without any are left out), reporting
 * unknown names and cycles into `problems`. `rolesOf` gives a host's roles (merge order). Never throws.
 */
export function resolveAfter(args: { inventory: Inventory; rolesOf: (host: string) => readonly string[]; problems: ProblemList }): Map<string, string[]> {
  const { inventory, problems } = args;
  const edges = new Map<string, AfterEdge[]>();
  for (const host of inventory.hosts.keys()) {
    const layers = [
      ...inventory.groupsOf(host).map((g) => inventory.groups.get(g)),
      ...args.rolesOf(host).map((r) => inventory.roles.get(r)),
      inventory.hosts.get(host),
    ].filter((s): s is SourceFile => s?.value !== undefined);
    edges.set(host, layers.flatMap((source) => edgesOf(host, source, inventory, problems)));
  }
  reportCycles(edges, problems);
  const out = new Map<string, string[]>();
  for (const [host, list] of edges) {
    const targets = [...new Set(list.map((e) => e.target))].sort();
    if (targets.length > 0) out.set(host, targets);
  }
  return out;
}

function edgesOf(host: string, source: SourceFile, inventory: Inventory, problems: ProblemList): AfterEdge[] {
  const entries = ((source.value ?? {}) as RawNode).after ?? [];
  return entries.flatMap((entry, i) => {
    if (entry === null) return [];
    const path = ['after', i];
    const targets = targetsOf(entry, { host, source, path, inventory, problems });
    return targets.map((target) => ({ target, source, path }));
  });
}

function targetsOf(entry: string, at: { host: string; source: SourceFile; path: PathSegment[]; inventory: Inventory; problems: ProblemList }): string[] {
  const { inventory } = at;
  if (entry.startsWith(AFTER_GROUP_PREFIX)) {
    const group = entry.slice(AFTER_GROUP_PREFIX.length);
    if (inventory.groups.has(group)) return (inventory.members.get(group) ?? []).filter((m) => m !== at.host);
    at.problems.at(at.source, at.path, `unknown group "${group}"${didYouMean(group, inventory.groups.keys())}; groups are the files groups/<name>.yaml`);
    return [];
  }
  if (inventory.hosts.has(entry)) return [entry];
  const hint = inventory.groups.has(entry) ? `; "${entry}" is a group: write "${AFTER_GROUP_PREFIX}${entry}"` : didYouMean(entry, inventory.hosts.keys());
  at.problems.at(at.source, at.path, `unknown host "${entry}"${hint}; hosts are the files hosts/<name>.yaml`);
  return [];
}

/** Reports each cycle once, at the `after:` entry of its first host that points at the next host. */
function reportCycles(edges: ReadonlyMap<string, AfterEdge[]>, problems: ProblemList): void {
  const ids = [...edges.keys()].sort();
  const graph = new Map(ids.map((h) => [h, [...new Set((edges.get(h) ?? []).map((e) => e.target))]]));
  for (const cycle of graphCycles(ids, graph)) {
    const [first, second] = [cycle[0]!, cycle[1]!];
    const edge = (edges.get(first) ?? []).find((e) => e.target === second)!;
    const text = cycle.join(' after ');
    problems.at(edge.source, edge.path, `after: cycle: ${text}; a host cannot wait for itself, directly or through others (host ${first})`);
  }
}
