import pLimit from 'p-limit';
import type { DesiredState } from '../../manifests/types.js';
import { observeHost } from '../facts/observe.js';
import { planHost } from '../plan/plan-host.js';
import type { Transport } from '../transport/types.js';
import { fetchFileTexts } from './texts.js';
import { toHostFailure } from './failure.js';
import { maskDeep, secretsOf } from './mask.js';
import type { HostPlanResult, ProgressEvent } from './types.js';

export interface PlanHostsOptions {
  hosts: DesiredState[];
  /** Returns the host's transport (typically from a TransportPool, so connections stay warm). */
  transportFor: (host: DesiredState) => Promise<Transport>;
  /** Hosts worked on at once. */
  concurrency: number;
  /** Fetch old file texts for unified diffs (a second round trip, only for hosts with changed text files). */
  withTexts: boolean;
  onProgress?: (event: ProgressEvent) => void;
}

/**
 * Observes and plans every host in parallel (bounded by `concurrency`). Never rejects: a host
 * that cannot be reached or planned yields an error result, and the others go on. Results are
 * in the order of `hosts`.
 */
export async function planHosts(options: PlanHostsOptions): Promise<HostPlanResult[]> {
  const limit = pLimit(Math.max(1, options.concurrency));
  return Promise.all(options.hosts.map((desired) => limit(async () => maskDeep(await planOne(desired, options), secretsOf(desired)))));
}

async function planOne(desired: DesiredState, options: PlanHostsOptions): Promise<HostPlanResult> {
  const started = performance.now();
  const host = desired.host.name;
  const address = `${desired.host.address}:${desired.host.port}`;
  const progress = (phase: ProgressEvent['phase'], detail?: string): void =>
    options.onProgress?.(detail === undefined ? { host, phase } : { host, phase, detail });
  try {
    progress('connect');
    const transport = await options.transportFor(desired);
    progress('observe');
    const observed = await observeHost(desired, transport);
    progress('plan');
    const plan = planHost(desired, observed);
    const result: HostPlanResult = { host, address, plan, observed, durationMs: 0 };
    if (options.withTexts && !plan.inSync) result.texts = await fetchFileTexts(desired, plan, transport);
    result.durationMs = performance.now() - started;
    progress('done', plan.inSync ? 'in sync' : 'drift');
    return result;
  } catch (err) {
    const error = toHostFailure(err);
    progress('failed', error.message);
    return { host, address, error, durationMs: performance.now() - started };
  }
}
