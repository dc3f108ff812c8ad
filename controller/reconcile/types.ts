import type { Plan } from '../plan/types.js';
import type { ObservedState } from '../facts/types.js';
import type { ApplyResult } from '../apply/types.js';

/** Old and new text of a file, for diffs; `before` absent when the file does not exist yet. */
export interface FileTexts {
  before?: string;
  after: string;
}

/** Why a host could not be planned or applied. `unreachable` is set for transport failures. */
export interface HostFailure {
  code: string;
  message: string;
  unreachable: boolean;
}

/** The result of planning one host, or why it could not be planned. */
export type HostPlanResult =
  | { host: string; address: string; plan: Plan; observed: ObservedState; texts?: Record<string, FileTexts>; durationMs: number }
  | { host: string; address: string; error: HostFailure; durationMs: number };

/** Progress events, one per phase change of a host, for live output. */
export interface ProgressEvent {
  host: string;
  phase: 'connect' | 'observe' | 'plan' | 'apply' | 'verify' | 'done' | 'failed';
  detail?: string;
}

/** The result of reconciling (applying) one host. */
export type HostApplyResult =
  | {
    host: string;
    address: string;
    plan: Plan;
    /** Absent when the plan was already in sync (nothing ran). */
    apply?: ApplyResult;
    /** The plan after apply, from a fresh observation: in sync when the host converged. */
    verify?: Plan;
    durationMs: number;
  }
  | { host: string; address: string; error: HostFailure; durationMs: number };

/** A host that was planned (the success side of HostPlanResult). */
export type PlannedHost = Extract<HostPlanResult, { plan: Plan }>;

// The types callers of the reconcile phases see (the CLI and the daemon import them from here, never from the
// modules below: the import direction is checked by the lint rule in eslint.config.js).
export type { Plan, PlanStep, PlanSummary, StepPhase } from '../plan/types.js';
export type { Fact, ObservedState } from '../facts/types.js';
export type { ApplyResult, StepResult, StepStatus } from '../apply/types.js';
export type { Transport } from '../transport/types.js';
export type { TransportPool } from '../transport/pool.js';
