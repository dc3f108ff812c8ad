/**
 * The controller's hooks (DaemonEvents) turned into report events: every run, every API action with the
 * token that made it, and the changes worth telling: a host that starts failing, is rolled back, becomes
 * unreachable or has its drift repaired (once per change, not on every retry: the previous run in the
 * host's history says), a rollout that halts or resumes. Revisions go to the tracker. A hook never throws.
 */
import type { RunHostResult } from '../../reconcile/types.js';
import type { DaemonEvents } from '../context.js';
import type { Logger } from '../log.js';
import type { RolloutView } from '../rollouts/rollouts.js';
import type { RunRecord } from '../state/records.js';
import { clip, type NewEvent } from './events.js';
import type { RevisionTracker } from './revision-tracker.js';

/** What the recorder needs. */
export interface RecorderDeps {
  /** Keeps an event (the log, then the notification targets that want it). */
  record: (event: NewEvent) => void;
  tracker: RevisionTracker;
  /** The run before the newest one in `host`'s history (the newest is the one that just ended). */
  previousRun: (host: string) => RunRecord | undefined;
  /** Asks for the fleet's revision to be judged again soon. */
  evaluate: () => void;
  /** Rollouts halted before this time were reported by an earlier process. */
  startedAt: number;
  log: Logger;
}

/** The hooks to merge into the controller's DaemonEvents. */
export function recorderEvents(deps: RecorderDeps): DaemonEvents {
  const syncActors = new Map<string, string>();
  const runActors = new Map<string, string>();
  const resumeActors = new Map<string, string>();
  let lanes = new Map<string, RolloutView>();
  const safe = <A extends unknown[]>(name: string, fn: (...args: A) => void) => (...args: A): void => {
    try {
      fn(...args);
    } catch (err) {
      deps.log.error({ err, hook: name }, 'report: an event could not be recorded (a bug)');
    }
  };
  return {
    revisionAccepted: safe('revisionAccepted', (revision) => {
      deps.tracker.accepted(revision);
      deps.evaluate();
    }),
    revisionRejected: safe('revisionRejected', (revision, problems) => deps.tracker.rejected(revision, problems)),
    syncRequested: safe('syncRequested', (trigger, detail) => {
      if (!detail) return;
      if (detail.actor !== undefined) for (const host of detail.hosts) syncActors.set(host, detail.actor);
      deps.record({
        type: 'sync.requested', runId: detail.runId, hosts: detail.hosts.slice(0, 100), hostCount: detail.hosts.length, dryRun: detail.dryRun, trigger,
        ...(detail.actor === undefined ? {} : { actor: detail.actor }),
      });
    }),
    runStarted: safe('runStarted', (host, run) => {
      const actor = syncActors.get(host);
      if (actor === undefined) return;
      syncActors.delete(host);
      runActors.set(run.id, actor);
    }),
    runFinished: safe('runFinished', (host, run, result) => {
      const actor = runActors.get(run.id);
      runActors.delete(run.id);
      deps.record(runEvent(host, run, result, actor));
      const change = changeEvent(host, run, result, deps.previousRun(host));
      if (change) deps.record(change);
      deps.evaluate();
    }),
    recordSaved: safe('recordSaved', () => deps.evaluate()),
    resourceConflict: safe('resourceConflict', (host, { revision, runId, conflict }) => deps.record({
      type: 'host.conflict', host, revision, runId, resource: conflict.resource, code: conflict.code, message: clip(conflict.message),
      repairs: conflict.repairs.map((r) => r.at),
    })),
    hostSuspended: safe('hostSuspended', (host, actor) => deps.record({ type: 'host.suspended', host, ...(actor === undefined ? {} : { actor }) })),
    hostResumed: safe('hostResumed', (host, actor) => deps.record({ type: 'host.resumed', host, ...(actor === undefined ? {} : { actor }) })),
    rolloutResumed: safe('rolloutResumed', (resumed, actor) => {
      if (actor !== undefined) for (const lane of resumed) resumeActors.set(lane, actor);
    }),
    rolloutChanged: safe('rolloutChanged', (views) => {
      const before = lanes;
      lanes = new Map(views.map((v) => [v.lane, v]));
      for (const view of views) {
        const old = before.get(view.lane);
        if (view.halted && view.halted.at >= deps.startedAt && old?.halted?.at !== view.halted.at) {
          deps.record({ type: 'rollout.halted', lane: view.lane, revision: view.revision, wave: view.halted.wave, reason: clip(view.halted.reason) });
        }
        // The API names who resumed just after the change: wait for it until the current task ends.
        if (old?.halted && !view.halted && old.revision === view.revision) queueMicrotask(() => resumedEvent(view));
      }
      deps.evaluate();
    }),
  };

  function resumedEvent(view: RolloutView): void {
    const actor = resumeActors.get(view.lane);
    resumeActors.delete(view.lane);
    deps.record({ type: 'rollout.resumed', lane: view.lane, revision: view.revision, wave: view.waves[view.wave - 1]?.name ?? '', ...(actor === undefined ? {} : { actor }) });
  }
}

/** The run.finished event of a run. */
export function runEvent(host: string, run: RunRecord, result: RunHostResult, actor: string | undefined): NewEvent {
  const changed = (result.apply?.steps ?? []).filter((s) => s.status === 'changed').map((s) => s.name);
  return {
    type: 'run.finished', host, revision: run.revision, runId: run.id, trigger: run.trigger, dryRun: run.dryRun, result: result.outcome,
    changedSteps: changed, durationMs: Math.round(result.durationMs),
    ...(result.error ? { code: result.error.code } : {}), ...(actor === undefined ? {} : { actor }),
  };
}

/**
 * The change a run made, if it is one worth telling: a failure, a rollback or an unreachable host unless
 * the previous run ended the same way at the same revision; drift a drift check repaired.
 */
export function changeEvent(host: string, run: RunRecord, result: RunHostResult, previous: RunRecord | undefined): NewEvent | undefined {
  const error = result.error;
  const same = previous?.result === result.outcome && previous.revision === run.revision;
  if (result.outcome === 'failed' && error?.code === 'E_ROLLED_BACK') {
    return { type: 'host.rolledBack', host, revision: run.revision, code: error.code, message: clip(error.message), ...(error.step ? { step: error.step } : {}) };
  }
  if (result.outcome === 'failed' && !same) {
    const code = error?.code ?? 'E_INTERNAL';
    return { type: 'host.failed', host, revision: run.revision, code, message: clip(error?.message ?? 'the run failed'), ...(error?.step ? { step: error.step } : {}) };
  }
  if (result.outcome === 'unreachable' && !same) {
    return { type: 'host.unreachable', host, revision: run.revision, code: error?.code ?? 'E_UNREACHABLE', message: clip(error?.message ?? 'cannot connect') };
  }
  if (result.outcome === 'applied' && run.trigger === 'drift') {
    const changed = (result.apply?.steps ?? []).filter((s) => s.status === 'changed').map((s) => s.name);
    if (changed.length) return { type: 'host.driftRepaired', host, revision: run.revision, changedSteps: changed };
  }
  return undefined;
}
