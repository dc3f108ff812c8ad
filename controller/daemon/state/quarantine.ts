/**
 * Quarantine: a revision undone on a host (the lockout guard, E_LOCKED_OUT, or rollbackOnFailedTests,
 * E_ROLLED_BACK: errors of kind `terminal`) is not applied to that host again, by any trigger but a
 * manual sync, until the branch moves to a commit that changes the host's desired state. It is a fact of
 * the host record (kept across restarts, shown by the API and the status page). Pure.
 */
import { errorSpec } from '../../../manifests/errors.js';
import type { RunHostResult } from '../../reconcile/types.js';
import type { HostRecord, RunRecord, Trigger } from './records.js';

/** Why a host does not apply a revision (HostRecord.quarantine). */
export interface Quarantine {
  /** The revision undone, and the host's desired-state hash in it (a commit that keeps it is held too). */
  revision: string;
  desiredHash?: string;
  /** The terminal error and its message. */
  code: string;
  reason: string;
  /** When it was decided (epoch ms). */
  at: number;
}

/** The last run the host's lockout guard undid that the controller knows of (so it is reported once). */
export interface LockoutFact {
  /** The guard's id (the host's undo record names it). */
  id: string;
  revision: string;
  /** When the host undid it (epoch ms, host clock), or when the controller learned it. */
  at: number;
}

/** Whether `quarantine` concerns the host's desired state at `at` (the newest revision): the same revision or the same desired state. */
export function quarantineCovers(quarantine: Quarantine | undefined, at: { revision?: string; desiredHash?: string }): quarantine is Quarantine {
  if (!quarantine) return false;
  return quarantine.revision === at.revision || (quarantine.desiredHash !== undefined && quarantine.desiredHash === at.desiredHash);
}

/** Whether `quarantine` keeps a run of `trigger` at `at` from applying: the same revision or desired state, any trigger but manual. */
export function quarantineHolds(quarantine: Quarantine | undefined, at: { revision: string; desiredHash?: string }, trigger: Trigger): boolean {
  return trigger !== 'manual' && quarantineCovers(quarantine, at);
}

/**
 * The record's quarantine and lockout after a run: a terminal error quarantines the revision it undid (the
 * revision the host's undo record names, else the run's); an apply that converged lifts it; anything else
 * leaves it as it was.
 */
export function afterRun(record: HostRecord, run: RunRecord, result: RunHostResult, facts: { desiredHash: string; now: number }): Pick<HostRecord, 'quarantine' | 'lockout'> {
  const out: Pick<HostRecord, 'quarantine' | 'lockout'> = {
    ...(record.quarantine ? { quarantine: record.quarantine } : {}), ...(record.lockout ? { lockout: record.lockout } : {}),
  };
  const undone = result.undone;
  if (undone) out.lockout = { id: undone.id, revision: undone.label || run.revision, at: undone.undoneAt || facts.now };
  const code = result.error?.code;
  if (code !== undefined && errorSpec(code).kind === 'terminal') {
    const revision = undone?.label.includes('@') ? undone.label : run.revision;
    // The hash is the run's only when the run was at the revision undone.
    out.quarantine = { revision, ...(revision === run.revision ? { desiredHash: facts.desiredHash } : {}), code, reason: result.error?.message ?? code, at: facts.now };
  } else if (!run.dryRun && (result.outcome === 'applied' || result.outcome === 'in-sync')) {
    delete out.quarantine;
  }
  return out;
}
