/**
 * Hosts that wait for hosts (`after:`, manifests/host-order.ts), as rollout policy: whether a host may
 * apply a revision yet, the one structured reason saying what it waits for, and waves kept in dependency
 * order. Pure: the caller says what it knows of each dependency.
 */
import type { AssignedWave } from './waves.js';

/** A host another one waits for, as it is now: its status (or run outcome) and, when it failed, why. */
export interface AwaitedHost {
  host: string;
  /** `Failed`, `OutOfSync`, `Progressing`, ... (the CLI: the run's outcome, e.g. `failed`, `held`). */
  status: string;
  /** One line: the error or hold reason. */
  detail?: string;
}

/**
 * Why a host is not applied yet: hosts it is `after:` are not Synced on the revision it is to apply.
 * The one structured "waiting for another host" reason (a `blockedBy` variant); `waitingText` words it.
 */
export interface WaitingForHosts {
  reason: 'WaitingForHosts';
  /** The revision the host is to apply (`working tree` for `drover reconcile`). */
  revision: string;
  /** The hosts it waits for, in name order, each with its state now. */
  hosts: AwaitedHost[];
}

/** What the caller knows of a dependency: its status and the revision it is on; undefined when it is not here to wait for. */
export type DependencyLookup = (host: string) => { status: string; revision?: string; detail?: string } | undefined;

/**
 * The hosts among `after` that are not Synced on `revision`, as the reason `host` waits; undefined when
 * it may apply. A dependency the lookup does not know (another shard's, or not in this run) is not waited for.
 */
export function waitingFor(args: { after: readonly string[]; revision: string; lookup: DependencyLookup }): WaitingForHosts | undefined {
  const hosts: AwaitedHost[] = [];
  for (const host of [...args.after].sort()) {
    const state = args.lookup(host);
    if (!state || (state.status === 'Synced' && state.revision === args.revision)) continue;
    hosts.push({ host, status: state.status, ...(state.detail ? { detail: state.detail } : {}) });
  }
  return hosts.length === 0 ? undefined : { reason: 'WaitingForHosts', revision: args.revision, hosts };
}

/** The reason as one line: `waiting for db1 (Failed: E_STEP_FAILED at regen_x), db2 (OutOfSync)`. */
export function waitingText(w: WaitingForHosts): string {
  const one = (h: AwaitedHost): string => `${h.host} (${h.status}${h.detail ? `: ${h.detail}` : ''})`;
  return `waiting for ${w.hosts.map(one).join(', ')} to be Synced on ${w.revision}`;
}

/** True for a status reason written by waitingText (a host held on purpose). */
export function isWaitingText(reason: string): boolean {
  return reason.startsWith('waiting for ');
}

/**
 * Waves with every host moved, when needed, to the wave of the latest host it is after (never earlier), so
 * no wave waits for a later one: a canary that waits for a database in wave 3 goes in wave 3. Waves left
 * empty are dropped and the rest renumbered; budgets stay as assigned. Terminates on acyclic `after`
 * (validation refuses cycles); a cycle would stop moving after as many rounds as there are hosts.
 */
export function orderWaves(waves: readonly AssignedWave[], after: (host: string) => readonly string[]): AssignedWave[] {
  const index = new Map(waves.flatMap((w, i) => w.hosts.map((h) => [h, i] as const)));
  for (let round = 0, moved = true; moved && round <= index.size; round++) {
    moved = false;
    for (const [host, at] of index) {
      const latest = Math.max(at, ...after(host).map((d) => index.get(d) ?? -1));
      if (latest > at) {
        index.set(host, latest);
        moved = true;
      }
    }
  }
  const out = waves.map((w, i) => ({ ...w, hosts: [...index].filter(([, at]) => at === i).map(([h]) => h).sort() }));
  return out.filter((w) => w.hosts.length > 0).map((w, i) => ({ ...w, index: i }));
}
