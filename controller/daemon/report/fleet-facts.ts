/**
 * The facts revision-outcome.ts judges, read from the controller's parts: for every host of this
 * replica's fleet, its record (the newest run only), whether a rollout or window holds it, whether a run
 * is queued or waiting for it. Read-only.
 */
import type { DaemonContext } from '../context.js';
import { newHostRecord, type RunRecord } from '../state/records.js';
import type { HostFacts } from './revision-outcome.js';

/** The fleet's revision and the facts of each of its hosts; undefined before a first good revision. */
export function fleetFacts(ctx: DaemonContext): { revision: string; hosts: HostFacts[] } | undefined {
  const fleet = ctx.fleet();
  if (!fleet) return undefined;
  const hosts = [...fleet.hosts.keys()].map((name): HostFacts => {
    const record = ctx.store.latestHost(name) ?? newHostRecord(name);
    const last = record.history[0];
    const held = ctx.rollouts?.heldReason(name);
    const waiting = ctx.dependencies?.reason(name);
    return {
      host: name,
      suspended: record.suspended || ctx.settings.suspendedByConfig.has(name),
      running: record.running !== undefined,
      queued: ctx.pending.has(name) || ctx.queue.waitingUntil(name) !== undefined,
      ...(record.lastAttemptedRevision === undefined ? {} : { lastAttemptedRevision: record.lastAttemptedRevision }),
      ...(record.lastAppliedRevision === undefined ? {} : { lastAppliedRevision: record.lastAppliedRevision }),
      ...(last?.result === undefined ? {} : { lastResult: last.result }),
      ...(record.lastError === undefined ? {} : { lastErrorCode: record.lastError.code }),
      ...(held === undefined ? {} : { held }),
      ...(waiting === undefined ? {} : { waitingFor: waiting.hosts.map((h) => h.host) }),
    };
  });
  return { revision: fleet.revision, hosts };
}

/** The run before the newest in `host`'s history. */
export function previousRun(ctx: DaemonContext, host: string): RunRecord | undefined {
  return ctx.store.host(host)?.history[1];
}
