/**
 * A host's status and reason, derived from facts (its record, the source, its breaker) rather than kept
 * as flags that can go stale. Precedence, first match wins:
 *   Suspended > Progressing (a run is going on, other than a drift check) > Rejected (the newest revision is invalid) >
 *   Unreachable (last run could not connect, or breaker not closed) > Failed (the last run, or a quarantined
 *   desired state) > OutOfSync > Synced.
 * And crash recovery: a record still holding a `running` run was left by a killed controller.
 */
import type { BreakerPhase } from '../work/breaker.js';
import { conflictText } from './conflicts.js';
import { quarantineCovers } from './quarantine.js';
import { withRun, type HostRecord, type HostStatus, type RunRecord } from './records.js';

/** Facts about a host that live outside its record. */
export interface StatusContext {
  /** The newest revision that passed the gate: where the host should be. Undefined before there is one. */
  desiredRevision?: string;
  /** Set while the newest fetched revision is rejected; `problem` is its first problem, formatted. */
  rejected?: { revision: string; problem: string };
  /** The host's circuit breaker (closed when absent); `trialAt` = when an open breaker lets a trial run. */
  breaker?: { phase: BreakerPhase; failures: number; trialAt?: number };
  /** The host's desired-state hash at the desired revision (a quarantine of the same desired state holds it too). */
  desiredHash?: string;
  /** Why the host is kept from applying the desired revision (`OutsideWindow: ...`, `RolloutHalted: ...`). */
  held?: string;
}

/** A status and the one-line reason shown next to it. */
export interface DerivedStatus {
  status: HostStatus;
  reason: string;
}

/** Derives a host's status from its record and context (see the precedence above). */
export function deriveStatus(record: HostRecord, context: StatusContext): DerivedStatus {
  if (record.suspended) return { status: 'Suspended', reason: 'suspended: not reconciled until resumed' };
  if (record.running && record.running.trigger !== 'drift') return { status: 'Progressing', reason: progressReason(record.running) };
  // A drift check changes nothing unless it finds drift: the host keeps the status its last run gave it.
  const settled = settledStatus(record, context);
  return record.running ? { ...settled, reason: `${settled.reason}; ${progressReason(record.running)}` } : settled;
}

function settledStatus(record: HostRecord, context: StatusContext): DerivedStatus {
  if (context.rejected) {
    const { revision, problem } = context.rejected;
    const staying = context.desiredRevision ? `staying on ${context.desiredRevision}` : 'no valid revision yet';
    return { status: 'Rejected', reason: `revision ${revision} is invalid: ${problem}; ${staying}` };
  }
  const last = record.history[0];
  const breaker = context.breaker ?? { phase: 'closed', failures: 0 };
  if (last?.result === 'unreachable' || breaker.phase !== 'closed') return { status: 'Unreachable', reason: unreachableReason(record, breaker) };
  if (last?.result === 'failed') return { status: 'Failed', reason: errorText(record) };
  // A revision undone on the host stays Failed while it is the desired one, plan-only runs after it notwithstanding.
  const quarantine = record.quarantine;
  if (quarantineCovers(quarantine, { revision: context.desiredRevision, desiredHash: context.desiredHash })) {
    return { status: 'Failed', reason: `${quarantine.code}: ${quarantine.reason}` };
  }
  const derived = syncReason(record, last, context.desiredRevision);
  // A held host is out of sync on purpose: the reason says why it was not applied.
  return derived.status === 'OutOfSync' && context.held !== undefined && last !== undefined ? { status: 'OutOfSync', reason: context.held } : derived;
}

/** `record` with its status and reason derived afresh. */
export function withStatus(record: HostRecord, context: StatusContext): HostRecord {
  return { ...record, ...deriveStatus(record, context) };
}

/**
 * Turns a record left by a killed controller into a consistent one: its `running` run moves to the
 * history as `interrupted` (start, trigger and revision kept; its end is unknown) and the status says
 * the host is to be re-observed. A record without `running` is returned as is. This is sound only if the
 * controller stores a finished run and clears `running` in one save (one atomic file write).
 */
export function recoverAfterCrash(record: HostRecord): { record: HostRecord; interrupted?: RunRecord } {
  if (!record.running) return { record };
  const interrupted: RunRecord = { ...record.running, result: 'interrupted' };
  const { running: _running, ...rest } = record;
  const history = rest.history.filter((run) => run.id !== interrupted.id);
  const recovered = withRun({ ...rest, history }, interrupted);
  return { record: { ...recovered, ...deriveStatus(recovered, {}) }, interrupted };
}

/**
 * Whether a run was cut short by a controller stop (after recoverAfterCrash) and not followed by another:
 * the host's state is unknown, so it is observed before anything else. A record with `running` set has a
 * run going on right now in this process (recovery has cleared every older one): that run observes it.
 */
export function needsReobservation(record: HostRecord): boolean {
  return record.running === undefined && record.history[0]?.result === 'interrupted';
}

function progressReason(run: RunRecord): string {
  if (run.rebootingSince !== undefined) return `rebooting since ${new Date(run.rebootingSince).toISOString()} (run ${run.id}, reconciling to ${run.revision})`;
  const what = run.trigger === 'drift' ? `checking for drift against ${run.revision}`
    : run.dryRun ? `planning against ${run.revision}` : `reconciling to ${run.revision}`;
  return `${what} (run ${run.id}, trigger ${run.trigger})`;
}

function unreachableReason(record: HostRecord, breaker: NonNullable<StatusContext['breaker']>): string {
  const error = record.lastError ? `${record.lastError.code}: ${record.lastError.message}` : 'cannot connect';
  if (breaker.phase === 'closed') return error;
  const next = breaker.trialAt === undefined ? 'trying again now' : `next try at ${new Date(breaker.trialAt).toISOString()}`;
  return `${error}; ${breaker.failures} failed connections in a row, left alone until the cool-down ends (${next})`;
}

function errorText(record: HostRecord): string {
  const e = record.lastError;
  if (!e) return 'the last run failed';
  if (e.code === 'E_ROLLED_BACK') return `${e.message}${e.stderrTail ? `; output: ${e.stderrTail.trim().split('\n').slice(-3).join(' | ')}` : ''}`;
  return `${e.code}${e.step ? ` at ${e.step}` : ''}: ${e.message}`;
}

function syncReason(record: HostRecord, last: RunRecord | undefined, desired: string | undefined): DerivedStatus {
  if (!last) return { status: 'OutOfSync', reason: 'not observed yet' };
  if (last.result === 'interrupted') {
    return { status: 'OutOfSync', reason: `run ${last.id} was interrupted by a controller restart; the host is re-observed` };
  }
  if (last.result === 'drift') return { status: 'OutOfSync', reason: driftText(record, last) };
  // A host a new revision does not affect moves to it without a run (lastAppliedRevision is updated, the
  // last run's revision is not), so the revision it is on is lastAppliedRevision when there is one.
  const current = record.lastAppliedRevision ?? last.revision;
  if (desired !== undefined && current !== desired) {
    return { status: 'OutOfSync', reason: `not yet on ${desired} (last applied: ${record.lastAppliedRevision ?? 'none'})` };
  }
  return { status: 'Synced', reason: `in sync with ${current}${reportedText(record)}${conflictText(record.conflicts)}` };
}

/** `; 2 reported, not changed: purge_etc_cron_d_x, ...` for steps only reported (`purge: report`, held in Conflict), else ``. */
function reportedText(record: HostRecord): string {
  const steps = (record.lastPlan?.steps ?? []).filter((s) => s.report === true).map((s) => s.name);
  if (steps.length === 0) return '';
  return `; ${steps.length} reported, not changed: ${steps.slice(0, 3).join(', ')}${steps.length > 3 ? ` (+${steps.length - 3} more)` : ''}`;
}

function driftText(record: HostRecord, last: RunRecord): string {
  const steps = record.lastPlan?.steps.map((s) => s.name) ?? [];
  const shown = steps.slice(0, 3).join(', ') + (steps.length > 3 ? ` (+${steps.length - 3} more)` : '');
  const changes = `${steps.length} change${steps.length === 1 ? '' : 's'} pending against ${last.revision}`;
  return `${changes}${shown ? `: ${shown}` : ''} (reported, not applied)`;
}
