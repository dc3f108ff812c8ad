/**
 * The ordering graph of a host's resources, shared by validation (cycles are manifest errors, found
 * before any host is touched) and planning (plan/order.ts sorts by it). Pure.
 */
import type { DesiredResource } from './types.js';

/**
 * What each resource must come after: its `dependsOn`, and for a command, the resources that notify it
 * (a notified command runs in its own work step, so after its notifiers, whatever the declaration order).
 * Ids that name no resource of the host are left out.
 */
export function prerequisites(resources: readonly DesiredResource[]): Map<string, string[]> {
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
 * Every ordering cycle among `resources`, one per strongly connected part of the graph, each as the ids
 * along one cycle (`[a, b, c, a]`: a comes after b, b after c, c after a), in declaration order of their
 * first id. Empty when the resources can be ordered.
 */
export function findCycles(resources: readonly DesiredResource[]): string[][] {
  return graphCycles(resources.map((r) => r.id), prerequisites(resources));
}

/**
 * Every cycle of a directed graph (`edges`: id -> the ids it points at), one per strongly connected part,
 * each as the ids along one cycle (`[a, b, a]`), in the order of `ids` of their first id. Empty when the
 * graph is acyclic. Shared by resource ordering and host ordering (`after:`, host-order.ts).
 */
export function graphCycles(ids: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  for (const part of stronglyConnected(ids, edges)) {
    const inPart = new Set(part);
    const first = part[0]!;
    if (part.length === 1 && !(edges.get(first) ?? []).includes(first)) continue;
    cycles.push(cycleFrom(first, (id) => (edges.get(id) ?? []).filter((d) => inPart.has(d))));
  }
  return cycles;
}

/** A cycle through `start` inside one strongly connected part (a walk that must come back to a visited id). */
function cycleFrom(start: string, next: (id: string) => string[]): string[] {
  const path: string[] = [];
  let current = start;
  while (!path.includes(current)) {
    path.push(current);
    current = next(current)[0]!;
  }
  return [...path.slice(path.indexOf(current)), current];
}

/** Tarjan's strongly connected components; each part lists its ids in the order of `ids`. */
function stronglyConnected(ids: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const order = new Map(ids.map((id, i) => [id, i]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const parts: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const part: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      part.push(w);
    } while (w !== v);
    parts.push(part.sort((a, b) => order.get(a)! - order.get(b)!));
  };
  for (const id of ids) if (!index.has(id)) visit(id);
  return parts.sort((a, b) => order.get(a[0]!)! - order.get(b[0]!)!);
}
