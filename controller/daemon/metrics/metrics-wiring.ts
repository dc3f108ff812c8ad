/**
 * Connects the controller to its metrics: DaemonEvents that push what happens (fetches, verdicts,
 * runs, connects, syncs), and a scrape hook that pulls what is (the live hosts with statuses
 * derived now, the queue depth).
 */
import type { RunHostResult } from '../../reconcile/types.js';
import type { ControllerApi } from '../api.js';
import type { DaemonEvents } from '../context.js';
import { changedResources } from './metric-inputs.js';
import { sshErrorReason } from './metric-labels.js';
import type { DroverMetrics } from './metrics.js';
import type { RunRecord } from '../state/records.js';

/** Events that feed `metrics`: pass them to startController. */
export function metricsEvents(metrics: DroverMetrics): DaemonEvents {
  return {
    fetched: (fetch) => metrics.recordFetch({ ok: fetch.ok, atMs: fetch.atMs, ...(fetch.revision ? { revision: fetch.revision } : {}) }),
    revisionJudged: (_revision, valid) => metrics.setManifestValid(valid),
    connected: (_host, durationMs) => metrics.observeSshConnect(durationMs),
    syncRequested: (trigger) => metrics.countSync(trigger),
    runFinished: (_host, run, result) => recordRun(metrics, run, result),
    delivered: (d) => (d.channel === 'commitStatus' ? metrics.report.countCommitStatus(d.result) : metrics.report.countNotification(d.target, d.result)),
    hostLockedOut: (host) => metrics.countLockout(host),
  };
}

function recordRun(metrics: DroverMetrics, run: RunRecord, result: RunHostResult): void {
  metrics.recordReconcile({
    result: result.outcome, dryRun: run.dryRun, trigger: run.trigger, durationMs: result.durationMs,
    phaseDurationsMs: result.phaseDurationsMs, changes: changedResources(result.plan, result.apply),
  });
  // Transport errors only (refused, timeout, host key, lost...): a failed step is not an SSH error.
  const code = result.error?.code;
  if (code !== undefined && sshErrorReason(code) !== 'other') metrics.countSshError(code);
}

/** At each scrape: the live hosts (removed ones vanish) and the runs waiting in the queue. */
export function scrapeController(metrics: DroverMetrics, controller: Pick<ControllerApi, 'hosts' | 'status'>): void {
  metrics.beforeScrape(() => {
    metrics.replaceHosts(controller.hosts());
    const status = controller.status();
    metrics.setQueueDepth(status.queue.queued);
    metrics.setStateWrites(status.state);
    metrics.rollouts.replace(status.rollouts);
  });
}

