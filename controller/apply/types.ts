/**
 * The apply side of drover: what running a host's Plan did, step by step. Plain JSON-serialisable
 * data. Secret values never appear here (only paths, ids, statuses and tool output tails, scrubbed).
 */

/**
 * changed: the step did its work; unchanged: nothing to do (plan said so, or a guard decided at run time);
 * failed: the step (or its hook) failed; restored: a file this step changed was put back after a later failure;
 * skipped: not run (after a failure, or in a dry run).
 */
export type StepStatus = 'changed' | 'unchanged' | 'failed' | 'restored' | 'skipped';

/** What happened to one plan step (or one hook script around it). */
export interface StepResult {
  /** The plan step's name (`regen_etc_nginx_nginx_conf`), or `pre:<step>/<script>` / `post:<step>/<script>` for hooks. */
  name: string;
  /** The resource id the step works on; `hook:<step>` for hooks, `test:<role>/<name>` for tests. */
  resource: string;
  status: StepStatus;
  /** Tail of the step's stdout+stderr (at most 4 kB), only for failed steps; credentials scrubbed. */
  stderr?: string;
  /** Exit status of a failed step (a failed test's command, curl's check...), when it ran to its end. */
  exitCode?: number;
  /** Time the step took on the host, in milliseconds (0 for steps that did not run). */
  durationMs: number;
}

/** The public half of an ssh_key resource, as found or generated on the host. */
export interface PublicKeyReport {
  resource: string;
  path: string;
  publicKey: string;
}

/** The outcome of applyPlan. */
export interface ApplyResult {
  host: string;
  /** True when every step (tests included) ended changed or unchanged. */
  ok: boolean;
  steps: StepResult[];
  /** Paths put back (or removed when they did not exist before) after a failure, in restore order. */
  restored: string[];
  /** Paths that could not be put back after a failure (the host needs a look). */
  notRestored: string[];
  publicKeys: PublicKeyReport[];
  /** Transport run() calls the apply made (0 for a dry run or an in-sync plan). */
  roundTrips: number;
  /** The output of `verifyProbe` run on the host right after a run that exited cleanly (see ApplyOptions). */
  verifyOutput?: string;
  durationMs: number;
  /** The run armed the lockout guard (ApplyOptions.guard, and it changed something): confirm it (confirmRun) or the host undoes it. */
  guarded?: boolean;
}

/**
 * The lockout guard of a run (guard.ts): `id` (8-64 hex digits) names it for confirmRun, `withinMs` is
 * confirmWithin (the watchdog waits that long after the run ended), `label` says what was applied (a revision).
 */
export interface GuardOptions {
  id: string;
  withinMs: number;
  label: string;
}

/** Options of applyPlan. */
export interface ApplyOptions {
  /** Build everything but touch nothing: steps that would run are `skipped`. Default false. */
  dryRun?: boolean;
  /** Cancels the run (the transport rejects with E_CANCELLED; the host script restores what it changed if it gets to). */
  signal?: AbortSignal;
  /** Called once per step result, in plan order, when the host script has reported (the run is one round trip, so all at its end). */
  onStep?: (result: StepResult) => void;
  /** Deadline for the whole host script; default none (commands have their own `timeout`). */
  timeoutMs?: number;
  /**
   * The plan is a part of the host's plan (`drover run HOST STEP`, tests on demand): notifications pending
   * from earlier runs that it does not settle stay pending, and the inventory is left as it is. Default false.
   */
  partial?: boolean;
  /**
   * A probe script (facts/observe.ts hostProbe) the host runs right after the steps, still holding the
   * apply lock, so the state the run left comes back in the same round trip (`verifyOutput`).
   */
  verifyProbe?: string;
  /** Arm the lockout guard before the first change (when the run changes anything). */
  guard?: GuardOptions;
}

/**
 * What an action builder returns for one step: sh text run in its own sub-shell (it must `exit`
 * non-zero on failure; `$W` is the run's private work dir on the host).
 * `guard`: optional sh condition re-checked right before the step; when it exits non-zero the step is
 * `unchanged` and `script` does not run (a command's creates/unless/onlyIf).
 */
export interface ActionScript {
  guard?: string;
  script: string;
}
