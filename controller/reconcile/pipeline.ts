/**
 * The host pipeline, in two phases that every caller loops over: `drover plan` runs the first,
 * `drover reconcile` and `drover run` run the first for every host, ask, then the second; the daemon's
 * worker runs both back to back (reconcileHost).
 *   observeAndPlan: connect -> observe -> plan (-> fetch file texts for diffs)
 *   applyPlanned:   apply -> confirm over a fresh connection (the lockout guard) -> (roll back) -> verify,
 *                   or only the checks of an in-sync host
 * Each phase returns a typed result and never rejects: a failure is an outcome with one HostFailure
 * (failure.ts), and repository secret values are masked in everything it returns.
 */
import { performance } from 'node:perf_hooks';
import { applyPlan, verifyConverged } from '../apply/index.js';
import type { ApplyResult } from '../apply/types.js';
import { hostProbe, observeHost, parseObservation } from '../facts/observe.js';
import { planHost } from '../plan/plan-host.js';
import type { Plan } from '../plan/types.js';
import type { BootFact, ObservedState } from '../facts/types.js';
import type { Transport } from '../transport/types.js';
import { DroverError, errorSpec } from '../../manifests/errors.js';
import type { DesiredState } from '../../manifests/types.js';
import type { GuardOptions } from '../apply/types.js';
import { confirmRun, foundUndone, guardFor, lockedOut, type Confirmation } from './confirm.js';
import { stepFailure, toHostFailure } from './failure.js';
import { hasTests, runHostTests } from './host-tests.js';
import { maskDeep } from './mask.js';
import { failedOnlyAtTests, rollBackRun, rolledBackFailure } from './rollback.js';
import { changedRebootResources, rebootPhase } from './reboot.js';
import { fetchFileTexts, textsFromBase } from './texts.js';
import type { HostOutcome, HostPlanResult, HostResult, HostTarget, PlannedHost, RunHostResult, TimedPhase, UnplannedHost } from './types.js';

/** Options of observeAndPlan. */
export interface PlanOptions {
  /** Also fetch the old texts of the files the plan changes, for diffs (one round trip, only when needed). */
  withTexts: boolean;
  /** A fresh observation of the host made with the same probe (observationScope): planned from, no probe is sent. */
  observed?: ObservedState;
  /** The desired state the host was converged to: a changed file still as it left it takes its old text from it, not from the host. */
  base?: DesiredState;
}

/**
 * Connects, observes (one probe) and plans the host; with `withTexts`, fetches the old texts of the
 * files the plan changes (one more round trip, only when there are some the base cannot give). Given
 * an observation, connects only for texts. Never rejects: a host that cannot be reached is
 * `unreachable`, one that cannot be observed or planned `failed`.
 */
export async function observeAndPlan(target: HostTarget, options: PlanOptions): Promise<HostPlanResult> {
  const startedAt = performance.now();
  const phaseDurationsMs: PlannedHost['phaseDurationsMs'] = {};
  let connected: Transport | undefined;
  const transport = async (): Promise<Transport> => {
    if (connected) return connected;
    target.onPhase?.('connect');
    connected = await abortable(target.transport(), target.signal);
    return connected;
  };
  try {
    const observed = options.observed ?? await (async () => {
      const through = await transport();
      target.onPhase?.('observe');
      const found = await timed(phaseDurationsMs, 'observe', () => observeHost(target.desired, through, signalOf(target)));
      target.onObserved?.(found, 'plan');
      return found;
    })();
    target.onPhase?.('plan');
    const plan = await timed(phaseDurationsMs, 'plan', async () => planHost(target.desired, observed, heldOf(target)));
    const known = options.withTexts && !plan.inSync && options.base ? textsFromBase(target.desired, plan, observed, options.base) : {};
    const texts = options.withTexts && !plan.inSync ? await fetchFileTexts(target.desired, plan, transport, known) : undefined;
    // The desired state itself holds the secrets (and is not plain data): only what was found is masked.
    const found = maskDeep({ observed, plan, ...(texts ? { texts } : {}) }, target.desired.repositorySecrets);
    const durationMs = performance.now() - startedAt;
    return { host: nameOf(target), address: addressOf(target), desired: target.desired, ...found, startedAt, durationMs, phaseDurationsMs };
  } catch (err) {
    const error = toHostFailure(err, signalOf(target));
    return finish(target, { outcome: error.unreachable ? 'unreachable' : 'failed', error, phaseDurationsMs }, startedAt) as UnplannedHost;
  }
}

/** What the second phase does with a planned host. */
export interface ApplyOptions {
  /** `plan`: change nothing (report drift); `apply`: converge. */
  mode: 'apply' | 'plan';
  /**
   * Run the checks (test_ steps) of a host found in sync: a health check, in plan mode too (checks change
   * nothing). A host that is applied runs its checks as part of the apply anyway.
   */
  runTests?: boolean;
  /**
   * The plan is a part of the host's plan (`drover run HOST STEP`): notifications pending from earlier runs
   * that it does not settle stay pending, the inventory is left as is, and there is no re-observation.
   */
  partial?: boolean;
}

/**
 * Applies a planned host's plan (the very plan shown to the user), rolls it back when the host asks for
 * it (rollbackOnFailedTests) and only its checks failed, then re-observes to confirm it converged.
 * An in-sync host runs only its checks (when asked). Never rejects (see HostOutcome for the results).
 */
export async function applyPlanned(planned: PlannedHost, target: HostTarget, options: ApplyOptions): Promise<HostResult> {
  const { plan } = planned;
  const run = { plan, ...(planned.texts ? { texts: planned.texts } : {}), phaseDurationsMs: { ...planned.phaseDurationsMs } };
  // A part of the plan (drover run STEP) always goes to the host: its checks run even when nothing changes.
  const checks = plan.inSync && options.runTests === true && hasTests(plan) && !options.partial;
  const nothingToSend = plan.inSync ? !options.partial : options.mode === 'plan';
  let sent = false;
  try {
    if (!checks && nothingToSend) return finish(target, { ...run, ...(await afterRun(planned, target, { outcome: plan.inSync ? 'in-sync' : 'drift' }, options)) }, planned.startedAt);
    const transport = await abortable(target.transport(), target.signal);
    sent = true;
    const found = checks
      ? await runChecks(planned, target, transport, run.phaseDurationsMs)
      : await converge(planned, target, transport, { ...options, phaseDurationsMs: run.phaseDurationsMs });
    return finish(target, { ...run, ...(await afterRun(planned, target, found, options)) }, planned.startedAt);
  } catch (err) {
    const error = toHostFailure(err, { sent, ...signalOf(target) });
    return finish(target, { ...run, outcome: error.unreachable ? 'unreachable' : 'failed', error }, planned.startedAt);
  }
}

/**
 * Both phases back to back (the daemon's unit of work): observe and plan, then apply (mode `apply`) or
 * only report (mode `plan`), with the checks of an in-sync host when `runTests`. With `observed` (a
 * fresh observation made with the same probe), plans from it instead of probing. Never rejects.
 */
export async function reconcileHost(request: HostTarget & ApplyOptions & { withTexts: boolean; observed?: ObservedState }): Promise<RunHostResult> {
  const { observed, ...probing } = request;
  const first = await observeAndPlan(probing, { withTexts: request.withTexts, ...(observed ? { observed } : {}) });
  if ('error' in first) return first as RunHostResult;
  // The host undid a run nobody confirmed (a controller stopped in the window): report it, apply nothing.
  const undone = first.observed.undone;
  if (undone && undone.id !== request.knownUndone) {
    const { plan, texts, phaseDurationsMs } = first;
    return finish(request, { outcome: 'failed', plan, ...(texts ? { texts } : {}), phaseDurationsMs, error: foundUndone(undone), undone }, first.startedAt) as RunHostResult;
  }
  const result = await applyPlanned(first, probing, probing) as RunHostResult;
  // Planned from an observation the caller held: a host that moved since then shows in the apply's own
  // verify probe, and one the network lost since fails the apply as it would have failed a probe. Either
  // way the host is observed, planned (and applied) again at once, as without an observation: an
  // unreachable host is told apart by its probe. The result names the steps of both applies.
  if (observed && !request.signal?.aborted && result.error && (result.error.code === 'E_NOT_CONVERGED' || errorSpec(result.error.code).unreachable === true)) {
    return withEarlierChanges(await reconcileHost(probing), result.apply);
  }
  return result;
}

function withEarlierChanges(result: RunHostResult, earlier: ApplyResult | undefined): RunHostResult {
  const changed = earlier?.steps.filter((s) => s.status === 'changed') ?? [];
  if (!earlier || changed.length === 0) return result;
  const apply = result.apply ? { ...result.apply, steps: [...changed, ...result.apply.steps] } : { ...earlier, steps: changed };
  return { ...result, apply };
}

/** The one definition of a host that ended where it should be: in sync, or applied and verified. */
export function converged(result: Pick<HostResult, 'outcome'>): boolean {
  return result.outcome === 'in-sync' || result.outcome === 'applied';
}

/** The result of a host that has changes but is not applied on purpose (`reason`: a window, a halted rollout). */
export function heldResult(planned: PlannedHost, reason: string): HostResult {
  const { host, address, plan, texts, phaseDurationsMs } = planned;
  return { host, address, outcome: 'held', plan, ...(texts ? { texts } : {}), held: reason, durationMs: 0, phaseDurationsMs };
}

type Found = Pick<HostResult, 'outcome' | 'apply' | 'verify' | 'error' | 'undone' | 'reboot'> & { boot?: BootFact };

/**
 * The reboot phase (reboot.ts) of a run that ended where it should (or a plan: report only): a full run
 * says whether the host needs a reboot and, with `reboot: auto` in an apply, reboots it and checks it.
 */
async function afterRun(planned: PlannedHost, target: HostTarget, found: Found, options: ApplyOptions): Promise<Omit<Found, 'boot'>> {
  const { boot, ...rest } = found;
  if (options.partial || !(converged(found) || found.outcome === 'drift')) return rest;
  const after = await rebootPhase(target, {
    boot: boot ?? planned.observed.boot, changed: changedRebootResources(planned.desired, found.apply),
    transport: () => abortable(target.transport(), target.signal), mayReboot: options.mode === 'apply' && converged(found),
  });
  const reported = { ...rest, ...(after.report ? { reboot: after.report } : {}) };
  return after.error ? { ...reported, outcome: 'failed', error: after.error, ...(after.checks ? { apply: after.checks } : {}) } : reported;
}

async function runChecks(planned: PlannedHost, target: HostTarget, transport: Transport, durations: HostResult['phaseDurationsMs']): Promise<Found> {
  target.onPhase?.('verify');
  const { desired, observed, plan } = planned;
  const apply = await timed(durations, 'verify', () => runHostTests({ desired, observed, plan, transport, ...signalOf(target) }));
  return apply.ok ? { outcome: 'in-sync', apply } : { outcome: 'failed', apply, error: stepFailure(apply, { checksOnly: true }) };
}

async function converge(planned: PlannedHost, target: HostTarget, transport: Transport, options: ApplyOptions & { phaseDurationsMs: HostResult['phaseDurationsMs'] }): Promise<Found> {
  const { desired, observed, plan } = planned;
  const durations = options.phaseDurationsMs;
  // The host observes what the run left at the end of the same round trip (the verify probe).
  const probe = options.partial ? undefined : hostProbe(desired);
  target.onPhase?.('apply');
  const guard = guardFor(target, plan);
  const applied = await timed(durations, 'apply', () => guardedApply(target, guard, applyPlan({
    desired, observed, plan, transport,
    options: { ...(options.partial ? { partial: true } : {}), ...(probe ? { verifyProbe: probe.script } : {}), ...signalOf(target), ...(guard ? { guard } : {}) },
  })));
  if (applied.lockout) return applied.lockout;
  const { verifyOutput, ...apply } = applied.apply;
  if (!apply.ok) return { outcome: 'failed', apply, error: options.partial ? stepFailure(apply, { checksOnly: false }) : await failedApply(planned, apply, transport, target) };
  if (!probe) return { outcome: plan.inSync ? 'in-sync' : 'applied', apply };
  target.onPhase?.('verify');
  const after = verifyOutput === undefined ? undefined : parseObservation(desired, probe, verifyOutput);
  if (after) target.onObserved?.(after, 'verify');
  const verify = await timed(durations, 'verify', async () => after === undefined
    ? verifyConverged(desired, transport, signalOf(target), heldOf(target))
    : planHost(desired, after, heldOf(target)));
  if (verify.inSync) return { outcome: 'applied', apply, verify, ...(after?.boot ? { boot: after.boot } : {}) };
  return { outcome: 'failed', apply, verify, error: notConverged(verify) };
}

/**
 * The apply, then (when it armed the guard) its confirmation over a fresh connection: a run that could not
 * be confirmed is the failure E_LOCKED_OUT (the host undoes it). A run whose connection was lost after it
 * was sent may have armed the guard too: it is confirmed before the error counts; unless the host refused
 * it before any change (busy, unsupported).
 */
async function guardedApply(target: HostTarget, guard: GuardOptions | undefined, applying: Promise<ApplyResult>): Promise<{ apply: ApplyResult; lockout?: never } | { lockout: Found }> {
  let apply: ApplyResult;
  try {
    apply = await applying;
  } catch (err) {
    const refused = err instanceof DroverError && (err.code === 'E_APPLY_BUSY' || err.code === 'E_HOST_UNSUPPORTED');
    const confirmation = guard && !refused && !target.signal?.aborted ? await confirmRun(target, guard) : undefined;
    if (!guard || !confirmation || !unconfirmed(confirmation)) throw err;
    return { lockout: { outcome: 'failed', error: lockedOut(confirmation, guard), ...undoneOf(confirmation) } };
  }
  if (!guard || !apply.guarded) return { apply };
  const confirmation = await confirmRun(target, guard);
  if (!unconfirmed(confirmation)) return { apply };
  return { lockout: { outcome: 'failed', apply, error: lockedOut(confirmation, guard), ...undoneOf(confirmation) } };
}

function unconfirmed(c: Confirmation): c is Exclude<Confirmation, { state: 'confirmed' | 'unknown' }> {
  return c.state === 'undone' || c.state === 'lost';
}

function undoneOf(c: Confirmation): Pick<Found, 'undone'> {
  return c.state === 'undone' ? { undone: c.undone } : {};
}

/** A failed apply: rolled back when the host asks for it and only its checks failed, else the failed step. */
async function failedApply(planned: PlannedHost, apply: ApplyResult, transport: Transport, target: HostTarget): Promise<NonNullable<Found['error']>> {
  const { desired, observed, plan } = planned;
  if (!desired.host.rollbackOnFailedTests || !failedOnlyAtTests(plan, apply)) return stepFailure(apply, { checksOnly: false });
  return rolledBackFailure(apply, await rollBackRun({ desired, observed, plan, apply, transport, ...signalOf(target) }));
}

function notConverged(verify: Plan): NonNullable<Found['error']> {
  const left = verify.steps.filter((s) => s.action !== 'none').map((s) => s.name);
  return { code: 'E_NOT_CONVERGED', unreachable: false, message: `applied, but a fresh observation still differs: ${left.join(', ')}` };
}

function finish(target: HostTarget, result: Omit<HostResult, 'host' | 'address' | 'durationMs'> & { outcome: HostOutcome }, startedAt: number): HostResult {
  const full: HostResult = { host: nameOf(target), address: addressOf(target), ...result, durationMs: performance.now() - startedAt };
  // Tool output and errors may quote a repository secret (secrets/*.age): masked before anything stores or shows them.
  return maskDeep(full, target.desired.repositorySecrets);
}

async function timed<T>(durations: Partial<Record<TimedPhase, number>>, phase: TimedPhase, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    durations[phase] = (durations[phase] ?? 0) + performance.now() - started;
  }
}

function nameOf(target: HostTarget): string {
  return target.desired.host.name;
}

function addressOf(target: HostTarget): string {
  return `${target.desired.host.address}:${target.desired.host.port}`;
}

function heldOf(target: Pick<HostTarget, 'held'>): { held?: ReadonlySet<string> } {
  return target.held ? { held: target.held } : {};
}

function signalOf(target: Pick<HostTarget, 'signal'>): { signal?: AbortSignal } {
  return target.signal ? { signal: target.signal } : {};
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
