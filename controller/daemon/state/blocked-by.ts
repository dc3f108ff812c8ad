/**
 * Why a host is not Synced on the newest good revision: one precise cause (`blockedBy`), derived like its
 * status (status.ts) from its record and the facts around it, never stored. Precedence, first match wins:
 *   suspended > run in progress > rejected revision > quarantined revision > breaker open > unreachable >
 *   failed (retry at T) > outside its window > waiting for its rollout wave > waiting for the hosts it is
 *   `after:` > drift not applied > pending.
 * Pure: times come in the context (epoch ms).
 */
import { waitingText, type WaitingForHosts } from '../../rollout/index.js';
import type { RolloutHold } from '../rollouts/rollouts.js';
import { quarantineCovers, type Quarantine } from './quarantine.js';
import type { HostRecord, RunRecord } from './records.js';
import type { StatusContext } from './status.js';

/** The one cause that keeps a host from the newest good revision; `reason` says it in one line. */
export type BlockedBy =
  | { kind: 'suspended'; reason: string; by: 'config' | 'api' }
  | { kind: 'running'; reason: string; since: number; runId: string; revision: string }
  | { kind: 'rejected'; reason: string; revision: string; problem: string }
  | { kind: 'quarantined'; reason: string; revision: string; code: string; since: number }
  | { kind: 'breaker'; reason: string; failures: number; until?: number }
  | { kind: 'unreachable'; reason: string; since: number; retryAt?: number }
  | { kind: 'failed'; reason: string; code: string; since: number; retryAt?: number }
  | { kind: 'window'; reason: string; opensAt?: number }
  | {
    kind: 'wave'; reason: string; lane: string; revision: string; phase: string;
    /** The host's wave, the wave rolling out (1-based), that wave's hosts without a result, when a pause ends. */
    wave: number; current: number; running: number; releasedAt?: number;
  }
  | { kind: 'waiting'; reason: string; revision: string; hosts: string[] }
  | { kind: 'drift'; reason: string; revision: string }
  | { kind: 'pending'; reason: string };

/** What blockedBy reads beyond the record and the status context. */
export interface BlockedContext extends StatusContext {
  /** The host is in the controller config's suspendedHosts (else a suspend came through the API). */
  suspendedByConfig?: boolean;
  /** The rollout coordinator's hold on the host (window or wave). */
  hold?: RolloutHold;
  /** The hosts it is `after:` that are not Synced on the revision it is to apply, while it waits for them. */
  waiting?: WaitingForHosts;
  /** When the queue runs the host next, if it waits (a retry with backoff). */
  retryAt?: number;
}

const at = (ms: number): string => new Date(ms).toISOString();

/** Why `record` (whose status `status` was derived) is not on the newest good revision; undefined when Synced. */
export function blockedBy(record: HostRecord, status: string, context: BlockedContext): BlockedBy | undefined {
  if (status === 'Synced') return undefined;
  if (record.suspended) {
    const by = context.suspendedByConfig ? 'config' : 'api';
    return { kind: 'suspended', by, reason: by === 'config' ? 'suspended by the controller config (suspendedHosts)' : 'suspended through the API (drover suspend); drover resume to go on' };
  }
  // A drift check leaves the cause of the last run standing (as the status does).
  if (record.running && record.running.trigger !== 'drift') return running(record.running);
  if (context.rejected) {
    const { revision, problem } = context.rejected;
    return { kind: 'rejected', revision, problem, reason: `the newest revision ${revision} was rejected: ${problem}` };
  }
  const quarantine = quarantined(record.quarantine, context);
  if (quarantine) return quarantine;
  return unwell(record, context) ?? held(context.hold) ?? after(context.waiting) ?? waiting(record, context);
}

function running(run: RunRecord): BlockedBy {
  if (run.rebootingSince !== undefined) {
    return { kind: 'running', since: run.startedAt, runId: run.id, revision: run.revision, reason: `rebooting since ${at(run.rebootingSince)} (run ${run.id}, applying ${run.revision})` };
  }
  const what = run.dryRun ? `planning against ${run.revision}` : `applying ${run.revision}`;
  return { kind: 'running', since: run.startedAt, runId: run.id, revision: run.revision, reason: `run ${run.id} in progress since ${at(run.startedAt)} (${what})` };
}

function quarantined(q: Quarantine | undefined, context: BlockedContext): BlockedBy | undefined {
  if (!quarantineCovers(q, { revision: context.desiredRevision, desiredHash: context.desiredHash })) return undefined;
  return {
    kind: 'quarantined', revision: q.revision, code: q.code, since: q.at,
    reason: `revision ${q.revision} was undone on this host (${q.code}) at ${at(q.at)}; not applied again until a commit changes its desired state (or a manual sync)`,
  };
}

/** The breaker, an unreachable host or a failed one, from the runs that ended last. */
function unwell(record: HostRecord, context: BlockedContext): BlockedBy | undefined {
  const breaker = context.breaker;
  if (breaker && breaker.phase !== 'closed') {
    const until = breaker.trialAt;
    const when = until === undefined ? 'a trial connection is due now' : `until ${at(until)}`;
    return { kind: 'breaker', failures: breaker.failures, ...(until === undefined ? {} : { until }), reason: `circuit breaker open after ${breaker.failures} failed connections, ${when}` };
  }
  const last = record.history[0];
  const retry = context.retryAt === undefined ? '' : `; next try at ${at(context.retryAt)}`;
  const retryAt = context.retryAt === undefined ? {} : { retryAt: context.retryAt };
  if (last?.result === 'unreachable') {
    const since = streakStart(record.history, 'unreachable');
    const error = record.lastError ? `: ${record.lastError.code}` : '';
    return { kind: 'unreachable', since, ...retryAt, reason: `unreachable since ${at(since)}${error}${retry}` };
  }
  if (last?.result === 'failed') {
    const since = streakStart(record.history, 'failed');
    const code = record.lastError?.code ?? 'E_UNKNOWN';
    const step = record.lastError?.step ? ` at ${record.lastError.step}` : '';
    return { kind: 'failed', code, since, ...retryAt, reason: `failing since ${at(since)} (${code}${step})${retry}` };
  }
  return undefined;
}

/** When the newest run of a streak of `result` runs started. */
function streakStart(history: readonly RunRecord[], result: RunRecord['result']): number {
  let since = history[0]?.startedAt ?? 0;
  for (const run of history) {
    if (run.result !== result) break;
    since = run.startedAt;
  }
  return since;
}

function held(hold: RolloutHold | undefined): BlockedBy | undefined {
  if (!hold) return undefined;
  if (hold.kind === 'window') {
    // The window's own reason says which window and when it opens.
    return { kind: 'window', ...(hold.opensAt === undefined ? {} : { opensAt: hold.opensAt }), reason: `outside its maintenance window: ${hold.reason.replace(/^OutsideWindow: /, '')}` };
  }
  const { lane, revision, phase, wave, current, running: left } = hold;
  const pause = hold.releasedAt === undefined ? '' : `, paused until ${at(hold.releasedAt)}`;
  const state = phase === 'Halted' ? `rollout of ${revision} halted at wave ${current}` : `waiting for rollout wave ${wave} of ${revision} (wave ${current} has ${left} host${left === 1 ? '' : 's'} still running${pause})`;
  return {
    kind: 'wave', lane, revision, phase, wave, current, running: left, ...(hold.releasedAt === undefined ? {} : { releasedAt: hold.releasedAt }),
    reason: `${state}; lane ${lane}`,
  };
}

function after(w: WaitingForHosts | undefined): BlockedBy | undefined {
  return w && { kind: 'waiting', revision: w.revision, hosts: w.hosts.map((h) => h.host), reason: waitingText(w) };
}

function waiting(record: HostRecord, context: BlockedContext): BlockedBy {
  const last = record.history[0];
  if (last?.result === 'drift') return { kind: 'drift', revision: last.revision, reason: `changes against ${last.revision} are reported, not applied (reconcile mode observe, or a plan-only run)` };
  const target = context.desiredRevision ?? 'a first good revision';
  const next = context.retryAt === undefined ? 'queued' : `queued for ${at(context.retryAt)}`;
  return { kind: 'pending', reason: `not yet run at ${target} (${next})` };
}
