/**
 * A feed of "something changed" for live readers (the status page's server-sent events): a DaemonEvents
 * listener that tells subscribers which host changed, or that the fleet did (a fetch, a revision, a
 * rollout). It carries no data: a reader reads the newest state through the API, so nothing it shows
 * can be stale or hold more than the API does.
 */
import type { DaemonEvents } from './context.js';

/** What changed: one host's record or run, or the fleet as a whole. */
export type FleetChange = { host: string } | { fleet: true };

/** The feed: hooks to merge into the controller's events, and subscriptions. */
export interface ChangeFeed {
  events: DaemonEvents;
  /** Calls `listener` on every change until the returned function is called. A listener must not throw. */
  subscribe(listener: (change: FleetChange) => void): () => void;
}

/** A new feed with no subscribers. */
export function createChangeFeed(): ChangeFeed {
  const listeners = new Set<(change: FleetChange) => void>();
  const tell = (change: FleetChange): void => {
    for (const listener of listeners) listener(change);
  };
  const host = (name: string): void => tell({ host: name });
  const fleet = (): void => tell({ fleet: true });
  return {
    events: {
      recordSaved: (record) => host(record.host),
      runStarted: (name) => host(name),
      runFinished: (name) => host(name),
      hostSuspended: (name) => host(name),
      hostResumed: (name) => host(name),
      fetched: fleet,
      revisionAccepted: fleet,
      revisionRejected: fleet,
      rolloutChanged: fleet,
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
