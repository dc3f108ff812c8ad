import type { DesiredState } from '../../manifests/types.js';
import type { Plan } from '../plan/types.js';
import type { ObservedState } from '../facts/types.js';
import type { ApplyResult } from '../apply/types.js';
import type { Transport } from '../transport/types.js';
import type { UndoneRun } from '../facts/undone.js';

/** Old and new text of a file, for diffs; `before` absent when the file does not exist yet. */
export interface FileTexts {
  before?: string;
  after: string;
}

/**
 * Why a host could not be planned, applied or checked. `code` is a code of the error registry
 * (docs/errors.md), which says what happens next; `unreachable` is set for network failures before
 * anything was sent to the host. `step` and `stderrTail` name the failed step and its output.
 */
export interface HostFailure {
  code: string;
  message: string;
  unreachable: boolean;
  step?: string;
  stderrTail?: string;
}

/** A phase of a host's run, reported through `onPhase` as it starts. */
export type HostPhase = 'connect' | 'observe' | 'plan' | 'apply' | 'verify' | 'reboot';

/** The phases whose duration a result keeps. */
export type TimedPhase = 'observe' | 'plan' | 'apply' | 'verify';

/** One host to work on: its desired state and how to reach it. */
export interface HostTarget {
  desired: DesiredState;
  /** The host's transport (from a TransportPool, so the connection stays warm across phases). */
  transport: () => Promise<Transport>;
  onPhase?: (phase: HostPhase) => void;
  /** Stops the run (per-run timeout, shutdown): the transport rejects; a run sent to the host finishes or restores there. */
  signal?: AbortSignal;
  /**
   * Opens a NEW connection to the host, never a pooled one (the caller closes nothing: the pipeline closes it):
   * the lockout guard confirms each apply through it. Absent: no guard (the run cannot be confirmed).
   */
  connectFresh?: () => Promise<Transport>;
  /** What is applied (the revision name), recorded by the guard on the host; default `local`. */
  revision?: string;
  /** The id of the host's undo record (observed.undone) the caller already reported: reconcileHost applies over it. */
  knownUndone?: string;
  /** Resource ids in Conflict (self-heal paused for them): their changes are listed in the plan, never applied. */
  held?: ReadonlySet<string>;
  /** Called when drover reboots the host (`reboot: auto`), with the time (epoch ms), before it waits for it. */
  onRebooting?: (since: number) => void;
  /**
   * Called with each whole observation the run makes (before masking; keep it in memory only): `plan`
   * the first, `verify` the one an apply's own round trip ends with. What the run did after an
   * observation (an apply, a reboot, a failure) is the caller's to weigh.
   */
  onObserved?: (observed: ObservedState, phase: 'plan' | 'verify') => void;
}

/**
 * A host that needs a reboot (absent from a result when it does not): why, and what was done: `report`
 * (its `reboot` setting says report), `hold` (`auto`, but this run may not reboot: a plan, outside its window
 * or wave), `rebooted` (drover rebooted it at `since`: boot id `from`, and `to` once it came back).
 */
export interface RebootReport {
  required: boolean;
  reasons: string[];
  action: 'report' | 'hold' | 'rebooted';
  since?: number;
  from?: string;
  to?: string;
}

/**
 * How a host's run ended:
 * - `in-sync`: nothing to change (and its checks passed, when they ran);
 * - `drift`: changes found, not applied (a plan-only run);
 * - `applied`: changed, and a fresh observation is in sync;
 * - `held`: changes found, not applied on purpose (`held` says why: a window, a halted rollout);
 * - `failed`: planning, a step, a check or the convergence failed (`error` says which);
 * - `unreachable`: the network did not let drover talk to the host before anything was sent.
 */
export type HostOutcome = 'in-sync' | 'drift' | 'applied' | 'held' | 'failed' | 'unreachable';

/** What one host's run found and did. Plain data; repository secret values are masked. */
export interface HostResult {
  host: string;
  /** `address:port`, as shown to people. */
  address: string;
  outcome: HostOutcome;
  /** Absent when the host could not be planned. */
  plan?: Plan;
  /** What ran on the host: the apply, or only the checks of an in-sync host. */
  apply?: ApplyResult;
  /** The plan from a fresh observation after the apply (in sync when the host converged). */
  verify?: Plan;
  /** Old and new texts of the files the plan changes, for diffs (when asked for). */
  texts?: Record<string, FileTexts>;
  /** Why a host with changes was not applied (outcome `held`). */
  held?: string;
  /** Set for outcomes `failed` and `unreachable`. */
  error?: HostFailure;
  /** The lockout guard undid the run (E_LOCKED_OUT): what the host put back, when it could tell. */
  undone?: UndoneRun;
  /** Set when the host needs (or needed, and was rebooted) a reboot. */
  reboot?: RebootReport;
  durationMs: number;
  phaseDurationsMs: Partial<Record<TimedPhase, number>>;
}

/** The result of both phases run back to back (reconcileHost): never `held`, which only a caller decides. */
export type RunHostResult = HostResult & { outcome: Exclude<HostOutcome, 'held'> };

/** A host after the first phase (observe and plan): what the second phase (apply) works from. */
export interface PlannedHost {
  host: string;
  address: string;
  desired: DesiredState;
  observed: ObservedState;
  plan: Plan;
  texts?: Record<string, FileTexts>;
  /** When the run started (performance.now()), so the second phase reports the whole run's duration. */
  startedAt: number;
  /** How long the first phase took. */
  durationMs: number;
  phaseDurationsMs: Partial<Record<TimedPhase, number>>;
}

/** A host the first phase could not plan (unreachable, refused, the probe failed): its run's result. */
export interface UnplannedHost extends Omit<HostResult, 'plan' | 'apply' | 'verify' | 'texts' | 'held' | 'error'> {
  outcome: 'failed' | 'unreachable';
  error: HostFailure;
}

/** The first phase's answer for one host: planned, or why not (tell them apart with `'error' in r`). */
export type HostPlanResult = PlannedHost | UnplannedHost;

/** Progress events for live output: a phase starting, or the host done (or failed) with a word on how. */
export interface ProgressEvent {
  host: string;
  phase: HostPhase | 'done' | 'failed';
  detail?: string;
}

// The types callers of the reconcile phases see (the CLI and the daemon import them from here, never from the
// modules below: the import direction is checked by the lint rule in eslint.config.js).
export type { Plan, PlanStep, PlanSummary, StepPhase } from '../plan/types.js';
export type { Fact, ObservedState } from '../facts/types.js';
export type { UndoneRun } from '../facts/undone.js';
export type { ApplyResult, StepResult, StepStatus } from '../apply/types.js';
export type { Transport } from '../transport/types.js';
export type { TransportPool } from '../transport/pool.js';
