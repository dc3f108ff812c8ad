/**
 * When is a revision done, and how did it go? Pure: from the facts of each host of this controller's
 * fleet (its record, the rollout's hold, whether a run is queued), never from counters. A host is final
 * at revision R when it is on R (synced), its last run at R failed, was rolled back or could not connect,
 * a halted rollout holds it, it is suspended, or it failed earlier and nothing will run it at R. The
 * revision is done when every host is final: success when none failed, else failure.
 */
import type { RunResult } from '../state/records.js';
import type { OutcomeCounts } from './events.js';

/** What the verdict needs to know of one host (built from its record by the reporter). */
export interface HostFacts {
  host: string;
  suspended: boolean;
  /** A run is in progress (its `running` record is set). */
  running: boolean;
  lastAttemptedRevision?: string;
  lastAppliedRevision?: string;
  /** The result of the newest run in its history. */
  lastResult?: RunResult;
  lastErrorCode?: string;
  /** Why a rollout or window keeps it from applying (`RolloutHalted: ...`, `WaitingForWave: ...`, ...). */
  held?: string;
  /** A run is queued or waiting (retry backoff, breaker trial, wave release) for it. */
  queued: boolean;
  /** The hosts it is held for (`after:`), not yet Synced on the revision. */
  waitingFor?: string[];
}

/** Where one host stands at a revision. */
export type HostOutcome = 'synced' | 'failed' | 'rolledBack' | 'unreachable' | 'halted' | 'blocked' | 'suspended' | 'pending';

/** Where a revision stands: pending until every host is final. */
export interface RevisionVerdict {
  state: 'pending' | 'success' | 'failure';
  counts: OutcomeCounts;
  /** Hosts that failed, rolled back, were unreachable, held by a halted rollout or waiting for failed hosts, by name. */
  failedHosts: string[];
  /** One line of at most 140 characters, e.g. `18/20 hosts synced, 2 failed: web3, web7`. */
  description: string;
}

/** The outcome of one host at `revision`. */
export function hostOutcome(h: HostFacts, revision: string): HostOutcome {
  if (h.suspended) return 'suspended';
  if (h.running) return 'pending';
  const failure = failureOf(h);
  if (failure && h.lastAttemptedRevision === revision) return failure;
  if (h.lastAppliedRevision === revision) return 'synced';
  if (h.held?.startsWith('RolloutHalted')) return 'halted';
  // Failed at an older revision, and nothing will run it at this one (a stalled or terminal error).
  if (failure && !h.queued && h.held === undefined) return failure;
  return 'pending';
}

function failureOf(h: HostFacts): HostOutcome | undefined {
  if (h.lastResult === 'unreachable') return 'unreachable';
  if (h.lastResult !== 'failed') return undefined;
  return h.lastErrorCode === 'E_ROLLED_BACK' ? 'rolledBack' : 'failed';
}

/** Outcomes that name hosts in a description. */
type Named = 'failed' | 'rolledBack' | 'unreachable' | 'halted' | 'blocked';

/** Outcomes after which nothing runs a host at the revision unless someone acts. */
const STUCK: ReadonlySet<HostOutcome> = new Set(['failed', 'rolledBack', 'unreachable', 'halted', 'blocked', 'suspended']);

/**
 * Each host's outcome, where a pending host held for `after:` hosts that are all stuck (or not in this
 * fleet) is `blocked`: it would wait for ever. Repeated until nothing changes, for chains of `after:`.
 */
function blockedOutcomes(hosts: readonly HostFacts[], revision: string): Map<string, HostOutcome> {
  const outcomes = new Map(hosts.map((h) => [h.host, hostOutcome(h, revision)]));
  for (let changed = true; changed;) {
    changed = false;
    for (const h of hosts) {
      if (outcomes.get(h.host) !== 'pending' || !h.waitingFor?.length) continue;
      if (!h.waitingFor.every((dep) => STUCK.has(outcomes.get(dep) ?? 'failed'))) continue;
      outcomes.set(h.host, 'blocked');
      changed = true;
    }
  }
  return outcomes;
}

/** The verdict on `revision` over every host of the fleet. */
export function judgeRevision(hosts: readonly HostFacts[], revision: string): RevisionVerdict {
  const counts: OutcomeCounts = { total: hosts.length, synced: 0, failed: 0, rolledBack: 0, unreachable: 0, halted: 0, blocked: 0, suspended: 0, pending: 0 };
  const named: Record<Named, string[]> = { failed: [], rolledBack: [], unreachable: [], halted: [], blocked: [] };
  const outcomes = blockedOutcomes(hosts, revision);
  for (const h of [...hosts].sort((a, b) => (a.host < b.host ? -1 : 1))) {
    const outcome = outcomes.get(h.host)!;
    counts[outcome]++;
    if (outcome in named) named[outcome as keyof typeof named].push(h.host);
  }
  const failedHosts = [...named.failed, ...named.rolledBack, ...named.unreachable, ...named.halted, ...named.blocked];
  const state = counts.pending > 0 ? 'pending' : failedHosts.length > 0 ? 'failure' : 'success';
  return { state, counts, failedHosts, description: describeCounts(counts, named) };
}

/** The most a commit status description may hold (GitHub's limit). */
export const DESCRIPTION_MAX = 140;

/**
 * `18/20 hosts synced, 2 failed: web3, web7, 1 in progress`, naming as many hosts as fit in
 * DESCRIPTION_MAX characters (`+N` for the rest).
 */
export function describeCounts(counts: OutcomeCounts, named: Record<Named, string[]>): string {
  if (counts.total === 0) return 'no hosts to reconcile';
  const build = (shown: number): string => {
    const parts = [`${counts.synced}/${counts.total} host${counts.total === 1 ? '' : 's'} synced`];
    const list = (label: string, hosts: string[]): void => {
      if (hosts.length === 0) return;
      const names = hosts.slice(0, shown);
      const rest = hosts.length - names.length;
      parts.push(`${hosts.length} ${label}${names.length ? `: ${names.join(', ')}` : ''}${rest > 0 ? ` +${rest}` : ''}`);
    };
    list('failed', named.failed);
    list('rolled back', named.rolledBack);
    list('unreachable', named.unreachable);
    list('held by a halted rollout', named.halted);
    list('waiting for failed hosts', named.blocked);
    if (counts.suspended) parts.push(`${counts.suspended} suspended`);
    if (counts.pending) parts.push(`${counts.pending} in progress`);
    return parts.join(', ');
  };
  const most = Math.max(0, ...Object.values(named).map((n) => n.length));
  for (let shown = most; shown > 0; shown--) {
    const text = build(shown);
    if (text.length <= DESCRIPTION_MAX) return text;
  }
  return fit(build(0));
}

/** `text` cut to DESCRIPTION_MAX characters. */
export function fit(text: string): string {
  return text.length <= DESCRIPTION_MAX ? text : `${text.slice(0, DESCRIPTION_MAX - 1)}…`;
}
