/**
 * The one mapping from what went wrong while working on a host to the HostFailure every caller shows,
 * stores and decides on (the CLI, the daemon's worker, the API). The registry (docs/errors.md) says
 * what each code means; this module only words the host-specific part.
 */
import { DroverError, errorSpec, scrubSecrets } from '../../manifests/errors.js';
import type { ApplyResult } from '../apply/types.js';
import type { HostFailure } from './types.js';

/** Where the run was when it failed. */
export interface FailureContext {
  /** The apply had been sent to the host: a lost connection then does not make the host unreachable. */
  sent?: boolean;
  /** The run's signal: when it aborted, its reason is why the run failed (shutdown), or a timeout. */
  signal?: AbortSignal;
}

const DETACHED = 'the run goes on on the host by itself and either finishes or restores the files it changed: `drover plan` shows where it ended';

/**
 * Turns anything thrown while working on a host into a HostFailure, messages scrubbed of credentials.
 * A stopped run says why (the signal's reason: a DroverError such as E_SHUTDOWN, else E_RUN_TIMEOUT).
 * Once the apply was sent, nothing is `unreachable`: the run goes on on the host by itself (detached),
 * and a lost connection or a stop says so.
 */
export function toHostFailure(err: unknown, context: FailureContext = {}): HostFailure {
  const stopped = context.signal?.aborted === true;
  const failure = stopped ? stopFailure(context.signal!.reason) : thrownFailure(err);
  if (!context.sent) return failure;
  const detached = stopped || failure.code === 'E_CONNECTION_LOST';
  const during = failure.code === 'E_CONNECTION_LOST' ? ' during apply' : '';
  return { ...failure, unreachable: false, ...(detached ? { message: `${failure.message}${during}; ${DETACHED}` } : {}) };
}

function thrownFailure(err: unknown): HostFailure {
  if (err instanceof DroverError) return { code: err.code, message: scrubSecrets(err.message), unreachable: errorSpec(err.code).unreachable === true };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'E_INTERNAL', message: scrubSecrets(message), unreachable: false };
}

function stopFailure(reason: unknown): HostFailure {
  if (reason instanceof DroverError) return thrownFailure(reason);
  return { code: 'E_RUN_TIMEOUT', message: 'the run took longer than its timeout (runTimeout) and was stopped', unreachable: false };
}

/**
 * The failure of an apply that reported a failed step: E_TEST_FAILED when only checks ran (an in-sync
 * host's health check), else E_STEP_FAILED saying what was restored. Names the step and keeps its output.
 */
export function stepFailure(apply: ApplyResult, options: { checksOnly: boolean }): HostFailure {
  const failed = apply.steps.find((s) => s.status === 'failed');
  const where = { ...(failed ? { step: failed.name } : {}), ...(failed?.stderr ? { stderrTail: failed.stderr } : {}) };
  if (options.checksOnly) return { code: 'E_TEST_FAILED', unreachable: false, message: applyFailureSummary(apply), ...where };
  const restored = apply.restored.length ? `; restored ${apply.restored.join(', ')}` : '';
  const notRestored = apply.notRestored.length ? `; NOT restored: ${apply.notRestored.join(', ')}` : '';
  return { code: 'E_STEP_FAILED', unreachable: false, message: `step ${failed?.name ?? '(unknown)'} failed${restored}${notRestored}`, ...where };
}

/** Why an apply did not succeed, in one line: the first failed step and the last line of its output. */
export function applyFailureSummary(apply: ApplyResult): string {
  const failed = apply.steps.find((s) => s.status === 'failed');
  if (failed === undefined) return apply.notRestored.length > 0 ? `could not restore ${apply.notRestored.join(', ')}` : 'failed';
  const last = (failed.stderr ?? '').trim().split('\n').pop()?.trim();
  const exit = failed.exitCode === undefined ? '' : ` (exit ${failed.exitCode})`;
  return `${failed.name} failed${exit}${last ? `: ${last}` : ''}`;
}
