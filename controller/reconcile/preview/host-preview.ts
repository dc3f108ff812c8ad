/**
 * A preview is the first phase of the host pipeline and nothing more: observeAndPlan with the
 * previewed revision's desired states (old file texts fetched for diffs), never an apply. Each host's
 * plan becomes a HostPreview: the steps that would change and their masked diffs, split, when the base
 * revision's desired state is known, into the revision's own changes and drift it does not touch.
 */
import pLimit from 'p-limit';
import type { DesiredState } from '../../../manifests/types.js';
import type { ObservedState } from '../../facts/types.js';
import { fileDiffLines } from '../file-diff.js';
import { observeAndPlan } from '../pipeline.js';
import type { FileTexts, HostPlanResult, PlanStep, ProgressEvent, Transport } from '../types.js';
import { desiredChange, fromChange, type DesiredChange } from './desired-change.js';
import type { HostPreview, PreviewStep, PreviewSteps } from './types.js';

/**
 * The HostPreview of a planned (or unplanned) host. With `change` (desiredChange of the host against
 * the base revision) the steps are split into the revision's own and `drift`; without it, every step
 * that would change is in `steps`. Pure.
 */
export function toHostPreview(result: HostPlanResult, change?: DesiredChange): HostPreview {
  const head = {
    host: result.host, address: result.address, ...('observed' in result ? { observedAt: result.observed.observedAt } : {}),
    ...(change ? { change: change.change, resources: [...change.resources, ...change.other.map((o) => `(${o})`)] } : {}),
  };
  if ('error' in result) {
    return { ...head, result: result.outcome, steps: [], diff: [], error: { code: result.error.code, message: result.error.message } };
  }
  const changing = result.plan.steps.filter((s) => s.action !== 'none' || s.mayChange !== undefined);
  const own = change ? changing.filter((s) => fromChange(s, change)) : changing;
  const drift = change ? changing.filter((s) => !fromChange(s, change)) : [];
  return {
    ...head, result: result.plan.inSync ? 'in-sync' : 'changes', ...previewSteps(own, result.texts),
    ...(change ? { drift: previewSteps(drift, result.texts) } : {}),
  };
}

/** The preview of a host the base revision has and the previewed one does not. */
export function removedHostPreview(host: string): HostPreview {
  return { host, address: '', result: 'removed', change: 'removed', resources: [], steps: [], diff: [] };
}

function previewSteps(steps: PlanStep[], texts: Record<string, FileTexts> | undefined): PreviewSteps {
  return {
    steps: steps.map((s): PreviewStep => ({ name: s.name, action: s.action, reasons: s.reasons, ...(s.mayChange === undefined ? {} : { mayChange: s.mayChange }) })),
    diff: steps.flatMap((s) => fileDiffLines(s, texts?.[s.resource])),
  };
}

/** How previewHosts reaches a host: its transport, and what to do once the host is done with it. */
export interface PreviewLease {
  transport: () => Promise<Transport>;
  release(): void;
}

/** Options of previewHosts. */
export interface PreviewHostsOptions {
  /** The previewed revision's hosts. */
  hosts: readonly DesiredState[];
  /** The base revision's hosts by name (changes are split from drift only when given). */
  base?: ReadonlyMap<string, DesiredState>;
  lease: (desired: DesiredState) => PreviewLease;
  concurrency: number;
  /** Ends every host's observation (a timeout, a shutdown): the host is `failed` with the signal's reason. */
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** A fresh observation made with the host's probe (observationScope), when the caller holds one: planned from, no probe sent. */
  observed?: (desired: DesiredState) => ObservedState | undefined;
  /** Each observation a host's preview makes (unmasked: keep it in memory). */
  onObserved?: (desired: DesiredState, observed: ObservedState) => void;
}

/**
 * Observes and plans every host (never applies), at most `concurrency` at once, and returns one
 * HostPreview per host in the order given, then one `removed` preview per base host the revision
 * dropped. Never rejects: a host that cannot be reached or planned is `unreachable` or `failed`.
 */
export async function previewHosts(options: PreviewHostsOptions): Promise<HostPreview[]> {
  const limit = pLimit(Math.max(1, options.concurrency));
  const previews = await Promise.all(options.hosts.map((desired) => limit(async () => {
    const lease = options.lease(desired);
    const host = desired.host.name;
    const lastSeen = options.observed?.(desired);
    const base = options.base?.get(host);
    try {
      const result = await observeAndPlan({
        desired, transport: lease.transport, onPhase: (phase) => options.onProgress?.({ host, phase }), ...(options.signal ? { signal: options.signal } : {}),
        onObserved: (observed) => options.onObserved?.(desired, observed),
      }, { withTexts: true, ...(lastSeen ? { observed: lastSeen } : {}), ...(base ? { base } : {}) });
      options.onProgress?.({ host, phase: 'done' });
      return toHostPreview(result, options.base ? desiredChange(base, desired) : undefined);
    } finally {
      lease.release();
    }
  })));
  const names = new Set(options.hosts.map((h) => h.host.name));
  const removed = [...(options.base?.keys() ?? [])].filter((name) => !names.has(name)).sort();
  return [...previews, ...removed.map(removedHostPreview)];
}
