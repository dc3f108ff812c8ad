/**
 * A worker turn's part in drift that fights back (state/conflicts.ts): before the run, which resources of the
 * host are held (in Conflict, self-heal paused); after it, the record's conflict facts updated from what the
 * run changed, and the Conflicts it declared (reported once each).
 */
import { DEFAULT_CONFLICT_POLICY } from '../../../manifests/index.js';
import type { DesiredState } from '../../../manifests/types.js';
import type { RunHostResult } from '../../reconcile/types.js';
import { resourceFingerprints } from '../revisions/fingerprint.js';
import { heldResources, trackConflicts, withConflictFacts, type ResourceConflict } from '../state/conflicts.js';
import type { HostRecord } from '../state/records.js';
import { changedResources, notConverged } from '../state/run-changes.js';

/** What a turn knows about the host's conflicts before its run. */
export interface ConflictTurn {
  fingerprints: Map<string, string>;
  /** Resources in Conflict for this desired state: planned held, never applied. */
  held: Set<string>;
  /** A sync with forceConflict that applies: the Conflicts are cleared and their resources applied. */
  force: boolean;
}

/** The turn's view before its run (`record`: the host's record now, if any). */
export function conflictTurn(desired: DesiredState, record: HostRecord | undefined, force: boolean): ConflictTurn {
  const fingerprints = resourceFingerprints(desired);
  return { fingerprints, held: force ? new Set() : heldResources(record ?? {}, fingerprints), force };
}

/**
 * `next` (the record finishRun made from `before`, the newest record) with its conflict facts updated by
 * the run; `declared` lists the Conflicts the run made. A change is a repair when the host's desired state
 * is the one it had converged to before the run, or the resource was repaired against the same definition.
 */
export function afterConflictRun(args: {
  before: HostRecord; next: HostRecord; turn: ConflictTurn; desired: DesiredState; desiredHash: string;
  runId: string; now: number; result: RunHostResult;
}): { record: HostRecord; declared: ResourceConflict[] } {
  const { before, next, turn, result } = args;
  const changed = changedResources(result);
  const update = trackConflicts(before, {
    now: args.now, runId: args.runId, policy: args.desired.host.conflict ?? DEFAULT_CONFLICT_POLICY, fingerprints: turn.fingerprints,
    atConverged: before.desiredHash === args.desiredHash, changed, notConverged: notConverged(result, changed), force: turn.force,
  });
  return { record: withConflictFacts(next, update.facts), declared: update.declared };
}
