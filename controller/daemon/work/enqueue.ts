/**
 * The one way a host gets into the queue: its reasons merged into the pending triggers (what the run
 * should do) and its name added to the queue (when it should run), always together.
 */
import type { Trigger } from '../state/records.js';
import type { Next } from './next.js';
import type { WorkQueue } from './queue.js';
import type { PendingTriggers } from './triggers.js';

/** What enqueue needs of the controller's parts. */
export interface WorkParts {
  queue: WorkQueue;
  pending: PendingTriggers;
}

/** Why a host is to run. */
export interface RunRequest {
  trigger: Trigger;
  apply: boolean;
  /** A manual sync waiting for the run's result. */
  runId?: string;
  /** Apply even outside the host's maintenance windows. */
  overrideWindow?: boolean;
  /** Clear the host's Conflicts: their resources are applied again. */
  forceConflict?: boolean;
}

/** When: now (a newer trigger is never held back by a backoff), after a delay, or after the host's backoff. */
export type When = 'now' | { afterMs: number } | 'backoff';

/** Queues a run of `host` for `request`, merged with whatever is pending for it. */
export function enqueue(parts: WorkParts, host: string, request: RunRequest, when: When = 'now'): void {
  const { trigger, ...options } = request;
  parts.pending.add(host, trigger, options);
  if (when === 'now') parts.queue.add(host);
  else if (when === 'backoff') parts.queue.addRateLimited(host);
  else parts.queue.addAfter(host, when.afterMs);
}

/** Carries out a worker's decision (next.ts) for `host`: the only way a finished turn touches the queue. */
export function requeue(parts: WorkParts, host: string, next: Next): void {
  switch (next.action) {
    case 'forget':
      parts.queue.forget(host);
      return;
    case 'after':
      parts.queue.forget(host);
      enqueue(parts, host, { trigger: next.trigger, apply: next.apply }, { afterMs: next.delayMs });
      return;
    case 'trial':
      enqueue(parts, host, { trigger: next.trigger, apply: next.apply }, { afterMs: next.delayMs });
      return;
    case 'backoff':
      enqueue(parts, host, { trigger: next.trigger, apply: next.apply }, 'backoff');
  }
}
