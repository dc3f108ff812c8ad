/**
 * reconcileHost: one host through its phases, connect -> observe -> plan -> (check) -> apply -> verify, each
 * timed, stopping at the first error (the daemon's unit of work; the CLI drives the same phases).
 */
import { performance } from 'node:perf_hooks';
import { DroverError } from '../../manifests/errors.js';
import type { DesiredState } from '../../manifests/types.js';
import { applyPlan, verifyConverged } from '../apply/index.js';
import type { ApplyResult } from '../apply/types.js';
import { observeHost } from '../facts/observe.js';
import type { ObservedState } from '../facts/types.js';
import { planHost } from '../plan/plan-host.js';
import type { Plan } from '../plan/types.js';
import type { Transport } from '../transport/types.js';
import { TransportErrorCodes } from '../transport/types.js';
import { applyFailureSummary, toHostFailure } from './failure.js';
import { hasTests, runHostTests } from './host-tests.js';
import { maskDeep } from './mask.js';
import { fetchFileTexts } from './texts.js';
import type { FileTexts, HostFailure } from './types.js';

/**
 * Codes of a host that answered but refused us (host key unknown or changed, authentication failed): it
 * needs a human, so retrying with backoff is pointless; the next revision, drift check or sync tries again.
 */
export const REFUSED_CODES: ReadonlySet<string> = new Set([TransportErrorCodes.hostKeyUnknown, TransportErrorCodes.hostKeyMismatch, TransportErrorCodes.auth]);

/** A phase of a host run, reported through `onPhase` as it starts. */
export type HostPhase = 'connect' | 'observe' | 'plan' | 'apply' | 'verify';

/** What to do with one host. */
export interface HostRunRequest {
  desired: DesiredState;
  /** The host's transport (from the daemon's TransportPool, so connections stay warm). */
  transport: () => Promise<Transport>;
  /** `plan`: observe and plan only (report mode, dry runs); `apply`: also apply and verify. */
  mode: 'apply' | 'plan';
  /** Fetch old file texts for diffs (secret values masked on the host). */
  withTexts: boolean;
  /**
   * Run the host's test_* checks when it is in sync (a health check, in plan mode too: checks change
   * nothing). A failed check fails the run (E_TEST_FAILED, the step, its exit code and output). A host that
   * is applied runs its checks after apply anyway.
   */
  runTests?: boolean;
  onPhase?: (phase: HostPhase) => void;
  /** Stops the run (per-run timeout, shutdown): the transport rejects; a run sent to the host finishes or restores there. */
  signal?: AbortSignal;
}

/** How the run ended and what it found. */
export interface HostRunResult {
  host: string;
  outcome: 'in-sync' | 'drift' | 'applied' | 'failed' | 'unreachable';
  plan?: Plan;
  /** The plan from a fresh observation after apply (in sync when the host converged). */
  verify?: Plan;
  apply?: ApplyResult;
  texts?: Record<string, FileTexts>;
  error?: HostFailure & { step?: string; stderrTail?: string };
  durationMs: number;
  phaseDurationsMs: Partial<Record<'observe' | 'plan' | 'apply' | 'verify', number>>;
}

/** The state a run carries from phase to phase. */
interface RunState {
  req: HostRunRequest;
  result: HostRunResult;
  transport?: Transport;
  observed?: ObservedState;
  /** Set once the apply was sent: a lost connection then does not make the host unreachable. */
  sent: boolean;
}

type Phase = (run: RunState) => Promise<'next' | 'stop'>;

/**
 * Runs the phases for one host and returns what happened. Never rejects: every failure is an
 * outcome (`unreachable` for transport failures before anything was sent, else `failed`) with a
 * scrubbed error, and repository secret values masked. `mode: 'plan'` never changes the host.
 */
export async function reconcileHost(req: HostRunRequest): Promise<HostRunResult> {
  const started = performance.now();
  const run: RunState = { req, sent: false, result: { host: req.desired.host.name, outcome: 'failed', durationMs: 0, phaseDurationsMs: {} } };
  try {
    for (const phase of [connect, observe, plan, check, apply, verify]) {
      if ((await phase(run)) === 'stop') break;
    }
  } catch (err) {
    run.result.error = failureOf(err, run);
    run.result.outcome = run.result.error.unreachable ? 'unreachable' : 'failed';
  }
  run.result.durationMs = performance.now() - started;
  // Tool output and errors may quote a repository secret (secrets/*.age): masked before anything stores or shows them.
  return maskDeep(run.result, req.desired.repositorySecrets);
}

const connect: Phase = async (run) => {
  run.req.onPhase?.('connect');
  run.transport = await abortable(run.req.transport(), run.req.signal);
  return 'next';
};

const observe: Phase = async (run) => {
  run.req.onPhase?.('observe');
  run.observed = await timed(run, 'observe', () => observeHost(run.req.desired, run.transport!, signalOf(run.req)));
  return 'next';
};

const plan: Phase = async (run) => {
  run.req.onPhase?.('plan');
  const planned = await timed(run, 'plan', async () => planHost(run.req.desired, run.observed!));
  run.result.plan = planned;
  if (run.req.withTexts && !planned.inSync) run.result.texts = await fetchFileTexts(run.req.desired, planned, run.transport!);
  if (planned.inSync) run.result.outcome = 'in-sync';
  else if (run.req.mode === 'plan') run.result.outcome = 'drift';
  if (planned.inSync && run.req.runTests && hasTests(planned)) return 'next';
  return planned.inSync || run.req.mode === 'plan' ? 'stop' : 'next';
};

/** The health check of an in-sync host (runTests): its test_* checks, nothing else; a host with drift goes on to apply. */
const check: Phase = async (run) => {
  if (!run.result.plan?.inSync) return 'next';
  run.req.onPhase?.('verify');
  const { desired } = run.req;
  const tests = await timed(run, 'verify', () => runHostTests({ desired, observed: run.observed!, plan: run.result.plan!, transport: run.transport!, ...signalOf(run.req) }));
  run.result.apply = tests;
  if (tests.ok) return 'stop';
  const failed = tests.steps.find((s) => s.status === 'failed');
  run.result.outcome = 'failed';
  run.result.error = {
    code: 'E_TEST_FAILED', unreachable: false, message: applyFailureSummary(tests),
    ...(failed ? { step: failed.name } : {}), ...(failed?.stderr ? { stderrTail: failed.stderr } : {}),
  };
  return 'stop';
};

const apply: Phase = async (run) => {
  run.req.onPhase?.('apply');
  run.sent = true;
  const { desired } = run.req;
  const result = await timed(run, 'apply', () => applyPlan({
    desired, observed: run.observed!, plan: run.result.plan!, transport: run.transport!, options: signalOf(run.req),
  }));
  run.result.apply = result;
  if (result.ok) return 'next';
  const failed = result.steps.find((s) => s.status === 'failed');
  run.result.outcome = 'failed';
  run.result.error = {
    code: 'E_STEP_FAILED', unreachable: false,
    message: `step ${failed?.name ?? '(unknown)'} failed${result.restored.length ? `; restored ${result.restored.join(', ')}` : ''}${result.notRestored.length ? `; NOT restored: ${result.notRestored.join(', ')}` : ''}`,
    ...(failed ? { step: failed.name } : {}), ...(failed?.stderr ? { stderrTail: failed.stderr } : {}),
  };
  return 'stop';
};

const verify: Phase = async (run) => {
  run.req.onPhase?.('verify');
  const after = await timed(run, 'verify', () => verifyConverged(run.req.desired, run.transport!, signalOf(run.req)));
  run.result.verify = after;
  if (after.inSync) {
    run.result.outcome = 'applied';
    return 'stop';
  }
  const left = after.steps.filter((s) => s.action !== 'none').map((s) => s.name);
  run.result.outcome = 'failed';
  run.result.error = { code: 'E_NOT_CONVERGED', unreachable: false, message: `applied, but a fresh observation still differs: ${left.join(', ')}` };
  return 'stop';
};

async function timed<T>(run: RunState, phase: 'observe' | 'plan' | 'apply' | 'verify', work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    run.result.phaseDurationsMs[phase] = performance.now() - started;
  }
}

function signalOf(req: HostRunRequest): { signal?: AbortSignal } {
  return req.signal ? { signal: req.signal } : {};
}

/** Rejects when `signal` aborts first (a connect has no signal of its own). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      promise.catch(() => undefined);
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The error of a run. A stopped run says why (the signal's reason: a DroverError from the daemon, or a
 * timeout). A connection lost once the apply was sent does not make the host unreachable: the run
 * goes on there by itself (detached) and finishes or restores what it changed.
 */
function failureOf(err: unknown, run: RunState): HostFailure {
  const signal = run.req.signal;
  let failure = toHostFailure(err);
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    failure = reason instanceof DroverError
      ? toHostFailure(reason)
      : { code: 'E_RUN_TIMEOUT', message: 'the run took longer than its timeout (runTimeout) and was stopped', unreachable: false };
  }
  if (!run.sent) return failure;
  const detached = 'the run goes on on the host by itself and either finishes or restores the files it changed';
  if (failure.code === TransportErrorCodes.lost) return { ...failure, unreachable: false, message: `${failure.message} during apply; ${detached}` };
  return signal?.aborted ? { ...failure, unreachable: false, message: `${failure.message}; ${detached}` } : { ...failure, unreachable: false };
}
