/**
 * What the daemon remembers: one HostRecord per host and one ControllerRecord for the source, as stored
 * by state.ts (`hosts/<name>.json`, `controller.json`). Plain JSON data; the pure helpers here build and
 * update records without I/O.
 */
import type { ManifestProblem } from '../../../manifests/errors.js';
import type { RepairTrack, ResourceConflict } from './conflicts.js';
import type { LockoutFact, Quarantine } from './quarantine.js';

/** A host's status, derived from facts by status.ts. */
export type HostStatus = 'Synced' | 'OutOfSync' | 'Progressing' | 'Failed' | 'Unreachable' | 'Suspended' | 'Rejected';

/** Every HostStatus, in the order status.ts gives them precedence (first wins). */
export const HOST_STATUSES: readonly HostStatus[] = ['Suspended', 'Progressing', 'Rejected', 'Unreachable', 'Failed', 'OutOfSync', 'Synced'];

/** Why a run was started. */
export type Trigger = 'revision' | 'drift' | 'manual' | 'webhook' | 'retry' | 'startup';

/** How a run ended; `interrupted` = the controller stopped (was killed) during it. */
export type RunResult = 'in-sync' | 'drift' | 'applied' | 'failed' | 'unreachable' | 'interrupted';

/** One run of one host. */
export interface RunRecord {
  id: string;
  trigger: Trigger;
  revision: string;
  startedAt: number;
  endedAt?: number;
  dryRun: boolean;
  result?: RunResult;
  changedSteps: string[];
  /** Set while drover waits for the host it rebooted (`reboot: auto`) to come back (epoch ms). */
  rebootingSince?: number;
  /**
   * What the run changed (or, planning only, would change) in each file step, as masked unified diffs
   * (the same masking as PlanSummary's), capped at RUN_DIFF_LINES lines; kept on the newest RUN_DIFFS_KEPT runs.
   */
  diff?: { step: string; lines: string[] }[];
}

/**
 * The last plan of a host, summarised: step names, reasons and counts, and for file steps of a
 * plan-only run the unified diff masked as `drover plan` masks it (reconcile/file-diff.ts): secret
 * values never appear.
 */
export interface PlanSummary {
  revision: string;
  inSync: boolean;
  /** `report`: listed only, never applied (`purge: report`). */
  steps: { name: string; action: string; reasons: string[]; diff?: string[]; report?: true }[];
  counts: Record<string, number>;
}

/** Everything the daemon keeps about one host (`hosts/<name>.json`). */
export interface HostRecord {
  host: string;
  status: HostStatus;
  reason: string;
  suspended: boolean;
  lastAttemptedRevision?: string;
  lastAppliedRevision?: string;
  lastAttemptAt?: number;
  lastSuccessAt?: number;
  lastPlan?: PlanSummary;
  lastError?: { code: string; message: string; step?: string; stderrTail?: string; at: number };
  consecutiveFailures: number;
  /** Set (and stored) before a run starts; a record loaded with it set was left by a killed controller. */
  running?: RunRecord;
  /** Newest first, at most HISTORY_LIMIT runs. */
  history: RunRecord[];
  /** When the host left the inventory; the record is kept for a while and the host never touched again. */
  removedAt?: number;
  /**
   * Hash of the desired state (daemon/revisions/fingerprint.ts) the host last converged to or was found in sync
   * with: a new revision with the same hash for this host needs no run.
   */
  desiredHash?: string;
  /** A revision undone on the host (E_LOCKED_OUT, E_ROLLED_BACK): not applied again until the host's desired state moves (quarantine.ts). */
  quarantine?: Quarantine;
  /** The last run the host's lockout guard undid that the controller knows of (its undo record is reported once). */
  lockout?: LockoutFact;
  /** Self-heal repairs of each resource within its conflict period (conflicts.ts); absent when none. */
  repairs?: Record<string, RepairTrack>;
  /** Resources in Conflict, self-heal paused for them (conflicts.ts), sorted by resource; absent when none. */
  conflicts?: ResourceConflict[];
  /**
   * The host needs a reboot (its last observation said so, and drover has not rebooted it): why, and what its
   * `reboot` setting made of it (`report`, or `hold`: `auto` but the run could not reboot it then).
   */
  rebootRequired?: { reasons: string[]; action: 'report' | 'hold'; since: number };
}

/** What the daemon keeps about its source (`controller.json`). */
export interface ControllerRecord {
  /** Newest revision fetched, valid or not. */
  newestRevision?: string;
  /** Newest revision that passed the validation gate: the one hosts are reconciled to. */
  lastGoodRevision?: string;
  /** The newest revision when it failed validation (not retried until the branch moves), with its problems. */
  rejected?: { revision: string; problems: ManifestProblem[]; at: number };
  lastFetchAt?: number;
  lastFetchSuccessAt?: number;
  lastFetchError?: { code: string; message: string; at: number };
  consecutiveFetchFailures: number;
}

/** Runs kept in a HostRecord's history. */
export const HISTORY_LIMIT = 50;

/** Lines of masked diff kept per run, and how many of the newest runs keep theirs. */
export const RUN_DIFF_LINES = 60;
export const RUN_DIFFS_KEPT = 10;

/** The record of a host never seen before: not observed yet, nothing in its history. */
export function newHostRecord(host: string): HostRecord {
  return { host, status: 'OutOfSync', reason: 'not observed yet', suspended: false, consecutiveFailures: 0, history: [] };
}

/** The record of a controller that never fetched. */
export function newControllerRecord(): ControllerRecord {
  return { consecutiveFetchFailures: 0 };
}

/** `record` with `run` added as the newest history entry, the history cut to HISTORY_LIMIT. */
export function withRun(record: HostRecord, run: RunRecord): HostRecord {
  const history = [run, ...record.history].slice(0, HISTORY_LIMIT).map((r, i) => {
    if (i < RUN_DIFFS_KEPT || r.diff === undefined) return r;
    const { diff: _dropped, ...rest } = r;
    return rest;
  });
  return { ...record, history };
}
