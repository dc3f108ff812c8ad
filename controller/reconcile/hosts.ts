/**
 * The pipeline's two phases over many hosts at once, for the CLI (`drover plan`, `drover reconcile`):
 * bounded by `concurrency`, one host's failure never stopping the others, progress reported per host.
 * Results come in the order of the hosts given; nothing here rejects.
 */
import pLimit from 'p-limit';
import type { DesiredState } from '../../manifests/types.js';
import { applyFailureSummary } from './failure.js';
import { applyPlanned, heldResult, observeAndPlan } from './pipeline.js';
import type { HostOrder } from './host-order.js';
import { waitingText, type WaitingForHosts } from '../rollout/index.js';
import type { HostPlanResult, HostResult, HostTarget, ProgressEvent, Transport } from './types.js';

/** How to reach the hosts and how many to work on at once. */
export interface HostsOptions {
  /** The host's transport (typically from a TransportPool, so a connection serves both phases). */
  transportFor: (host: DesiredState) => Promise<Transport>;
  concurrency: number;
  onProgress?: (event: ProgressEvent) => void;
  /** A NEW connection to the host (Session.connectFresh): the lockout guard confirms applies through it; absent: no guard. */
  connectFresh?: (host: DesiredState) => Promise<Transport>;
}

/** Observes and plans every host (the first phase); with `withTexts`, fetches old file texts for diffs. */
export async function planHosts(options: HostsOptions & { hosts: DesiredState[]; withTexts: boolean }): Promise<HostPlanResult[]> {
  const limit = pLimit(Math.max(1, options.concurrency));
  return Promise.all(options.hosts.map((desired) => limit(async () => {
    const result = await observeAndPlan(targetOf(desired, options), { withTexts: options.withTexts });
    report(options, result.host, 'error' in result ? { failed: result.error.message } : { done: result.plan.inSync ? 'in sync' : 'drift' });
    return result;
  })));
}

/**
 * Applies every planned host (the second phase: apply, roll back when asked, verify); a host that could
 * not be planned passes through as it is. `runTests` also runs the checks of hosts already in sync.
 */
export async function applyHosts(options: HostsOptions & { planned: HostPlanResult[]; runTests?: boolean; order?: HostOrder }): Promise<HostResult[]> {
  const limit = pLimit(Math.max(1, options.concurrency));
  return Promise.all(options.planned.map(async (planned) => {
    // Waiting for the hosts it is after happens outside the limit: a waiting host holds no slot.
    const blocked = 'error' in planned ? undefined : await options.order?.blockedBy(planned.host);
    const result = await limit(() => applyOne(planned, blocked, options));
    options.order?.settle(result);
    return result;
  }));
}

async function applyOne(planned: HostPlanResult, blocked: WaitingForHosts | undefined, options: HostsOptions & { runTests?: boolean }): Promise<HostResult> {
  if ('error' in planned) return planned;
  if (blocked && !planned.plan.inSync) {
    const held = heldResult(planned, waitingText(blocked));
    report(options, held.host, { done: `held: ${held.held}` });
    return held;
  }
  const result = await applyPlanned(planned, targetOf(planned.desired, options), { mode: 'apply', ...(options.runTests ? { runTests: true } : {}) });
  report(options, result.host, result.error ? { failed: result.apply ? applyFailureSummary(result.apply) : result.error.message } : { done: doneWord(result) });
  return result;
}

function targetOf(desired: DesiredState, options: HostsOptions): HostTarget {
  const host = desired.host.name;
  const fresh = options.connectFresh;
  return {
    desired, transport: () => options.transportFor(desired), onPhase: (phase) => options.onProgress?.({ host, phase }),
    ...(fresh ? { connectFresh: () => fresh(desired) } : {}),
  };
}

function report(options: HostsOptions, host: string, how: { done: string } | { failed: string }): void {
  options.onProgress?.('done' in how ? { host, phase: 'done', detail: how.done } : { host, phase: 'failed', detail: how.failed });
}

function doneWord(result: HostResult): string {
  if (result.outcome === 'applied') return 'converged';
  return result.apply ? 'in sync, tests passed' : 'in sync';
}
