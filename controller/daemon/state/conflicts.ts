/**
 * Drift that fights back (pure: facts in, facts out). Self-heal repairs a resource each time it drifts; when
 * the same resource needs `policy.repairs` repairs within `policy.withinMs` (a cron job, a package script,
 * another tool keeps rewriting it), it is marked Conflict and self-heal pauses for it (the worker plans it
 * held: listed, never applied) until a commit changes the resource (its fingerprint moves) or a sync with
 * `forceConflict`. An apply that a fresh observation right after it (the verify, in the same round trip)
 * still finds undone counts as a repair too, even at a new desired state; when every counted repair was
 * undone that fast, the resource does not converge at all: drover's bug, not the host's (its own reason).
 * One such apply alone proves nothing: a loop on the host may rewrite the file between apply and verify.
 */
import type { ConflictPolicy } from '../../../manifests/index.js';

/** One repair of a resource: when, by which run, and what changed (reasons, masked diff). */
export interface Repair {
  at: number;
  runId: string;
  steps: string[];
  reasons: string[];
  /** The unified diff of a file's content, secrets masked (reconcile/file-diff.ts); absent when none. */
  diff?: string[];
  /** Set when the observation right after the apply still found the resource different. */
  undone?: true;
}

/** The repairs of one resource against one definition of it (`fingerprint`), within the period. */
export interface RepairTrack {
  fingerprint: string;
  repairs: Repair[];
}

/**
 * Why a resource is in Conflict: `drift` = it drifted back after `repairs` repairs within the period (the
 * host's doing); `not-idempotent` = right after drover's own apply it still differed (drover's bug).
 */
export type ConflictReason = 'drift' | 'not-idempotent';

/** A resource self-heal pauses for, with the repairs that led there. */
export interface ResourceConflict {
  resource: string;
  reason: ConflictReason;
  /** The registry's code of the reason (docs/errors.md). */
  code: 'E_RESOURCE_CONFLICT' | 'E_NOT_IDEMPOTENT';
  /** One line for people: what happened and what clears it. */
  message: string;
  since: number;
  /** The definition in Conflict: a commit that changes it clears the Conflict. */
  fingerprint: string;
  repairs: Repair[];
}

/** What the record keeps (HostRecord fields). */
export interface ConflictFacts {
  repairs?: Record<string, RepairTrack>;
  conflicts?: ResourceConflict[];
}

/** What a resource's work steps changed in a run. */
export interface ChangedResource {
  resource: string;
  steps: string[];
  reasons: string[];
  diff?: string[];
}

/** One run, as far as conflicts care. */
export interface RunChanges {
  now: number;
  runId: string;
  policy: ConflictPolicy;
  /** Fingerprints of the resources of the desired state the run worked from (resourceFingerprints). */
  fingerprints: ReadonlyMap<string, string>;
  /** The host's desired state is the one it last converged to: whatever the run changed had drifted. */
  atConverged: boolean;
  changed: readonly ChangedResource[];
  /** Resources the run changed that the observation right after it (the verify) still found different. */
  notConverged: readonly string[];
  /** `drover sync --force-conflict`: every Conflict of the host is cleared and counting starts afresh. */
  force: boolean;
}

/** The facts after the run, and the Conflicts it declared (each reported once, as an event). */
export interface ConflictUpdate {
  facts: ConflictFacts;
  declared: ResourceConflict[];
}

/**
 * The resources of `facts` in Conflict for the desired state with `fingerprints`: those whose definition has
 * not changed since (a commit that changed it, or removed the resource, clears the Conflict).
 */
export function heldResources(facts: ConflictFacts, fingerprints: ReadonlyMap<string, string>): Set<string> {
  return new Set(current(facts.conflicts ?? [], fingerprints).map((c) => c.resource));
}

/** Counts the run's repairs and declares the Conflicts they make (see the module comment). */
export function trackConflicts(facts: ConflictFacts, run: RunChanges): ConflictUpdate {
  const conflicts = run.force ? [] : current(facts.conflicts ?? [], run.fingerprints);
  const tracks = run.force ? {} : currentTracks(facts.repairs ?? {}, run);
  const inConflict = new Set(conflicts.map((c) => c.resource));
  const declared: ResourceConflict[] = [];
  for (const change of run.changed) {
    const fingerprint = run.fingerprints.get(change.resource);
    if (fingerprint === undefined || inConflict.has(change.resource)) continue;
    const undone = run.notConverged.includes(change.resource);
    const repair: Repair = {
      at: run.now, runId: run.runId, steps: change.steps, reasons: change.reasons, ...(change.diff?.length ? { diff: change.diff } : {}), ...(undone ? { undone } : {}),
    };
    const track = tracks[change.resource];
    const isRepair = track?.fingerprint === fingerprint || run.atConverged || undone;
    const repairs = isRepair ? [...(track?.fingerprint === fingerprint ? track.repairs : []), repair].slice(-run.policy.repairs) : [];
    const reason = conflictReason(repairs, run.policy);
    if (reason) {
      declared.push(conflictOf({ resource: change.resource, reason, fingerprint, repairs, run }));
      delete tracks[change.resource];
    } else {
      tracks[change.resource] = { fingerprint, repairs };
    }
  }
  const all = [...conflicts, ...declared].sort((a, b) => (a.resource < b.resource ? -1 : 1));
  for (const [id, track] of Object.entries(tracks)) if (track.repairs.length === 0) delete tracks[id];
  return { facts: { ...(Object.keys(tracks).length ? { repairs: tracks } : {}), ...(all.length ? { conflicts: all } : {}) }, declared };
}

/** `record` with `facts` in place of its conflict fields. */
export function withConflictFacts<R extends ConflictFacts>(record: R, facts: ConflictFacts): R {
  const { repairs: _repairs, conflicts: _conflicts, ...rest } = record;
  return { ...rest, ...facts } as R;
}

/** `; 1 resource in Conflict: file:/etc/x (...)` for a host's status reason, or `` when none. */
export function conflictText(conflicts: readonly ResourceConflict[] | undefined): string {
  if (!conflicts?.length) return '';
  const names = conflicts.slice(0, 3).map((c) => c.resource).join(', ') + (conflicts.length > 3 ? ` (+${conflicts.length - 3} more)` : '');
  return `; ${conflicts.length} resource${conflicts.length === 1 ? '' : 's'} in Conflict, self-heal paused: ${names}`;
}

function conflictReason(repairs: readonly Repair[], policy: ConflictPolicy): ConflictReason | undefined {
  if (repairs.length < policy.repairs) return undefined;
  return repairs.every((r) => r.undone === true) ? 'not-idempotent' : 'drift';
}

function conflictOf(args: { resource: string; reason: ConflictReason; fingerprint: string; repairs: Repair[]; run: RunChanges }): ResourceConflict {
  const { resource, reason, fingerprint, repairs, run } = args;
  const code = reason === 'drift' ? 'E_RESOURCE_CONFLICT' : 'E_NOT_IDEMPOTENT';
  return { resource, reason, code, message: conflictMessage(reason, repairs.length, run.policy), since: run.now, fingerprint, repairs };
}

/** The one line shown for a Conflict. */
export function conflictMessage(reason: ConflictReason, repairs: number, policy: ConflictPolicy): string {
  const clears = 'a commit changing it or `drover sync --force-conflict` clears it';
  if (reason === 'not-idempotent') {
    return `a fresh observation right after each of its last ${repairs} applies still found it different: the resource does not converge (a drover bug, not the host's; please report it); self-heal paused for it; ${clears}`;
  }
  return `drifted back after ${repairs} repairs within ${durationText(policy.withinMs)} (something on the host keeps changing it); self-heal paused for it; ${clears}`;
}

function current(conflicts: readonly ResourceConflict[], fingerprints: ReadonlyMap<string, string>): ResourceConflict[] {
  return conflicts.filter((c) => fingerprints.get(c.resource) === c.fingerprint);
}

function currentTracks(tracks: Readonly<Record<string, RepairTrack>>, run: RunChanges): Record<string, RepairTrack> {
  const since = run.now - run.policy.withinMs;
  const kept: Record<string, RepairTrack> = {};
  for (const [id, track] of Object.entries(tracks)) {
    if (run.fingerprints.get(id) !== track.fingerprint) continue;
    kept[id] = { fingerprint: track.fingerprint, repairs: track.repairs.filter((r) => r.at > since) };
  }
  return kept;
}

function durationText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
