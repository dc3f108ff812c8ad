/**
 * drover's Prometheus metrics (prom-client, prefix `drover_`), on a registry of their own (never
 * prom-client's global one), with the small typed API the controller calls. Names follow
 * Prometheus conventions: base units (seconds), `_total` only on counters, `_info` gauges set to 1.
 * Times enter in epoch milliseconds and durations in milliseconds, as everywhere in the daemon,
 * and are exported in seconds. No label value is free text except `host` and `revision`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { LockoutMetrics } from './lockout-metrics.js';
import { HostMetrics, type HostMetricsRecord } from './host-metrics.js';
import { RolloutMetrics } from './rollout-metrics.js';
import { ReportMetrics } from './report-metrics.js';
import {
  CHANGE_ACTIONS, FETCH_RESULTS, RECONCILE_PHASES, RECONCILE_RESULTS, RESOURCE_KINDS, SSH_ERROR_REASONS, TRIGGERS,
  WEBHOOK_PROVIDERS, WEBHOOK_RESULTS, boundedLabel, requireLabel, sshErrorReason,
  type MetricTrigger, type ReconcilePhase, type ReconcileResult, type WebhookProvider, type WebhookResult,
} from './metric-labels.js';

export type { HostMetricsRecord } from './host-metrics.js';

/** Options of createMetrics. */
export interface MetricsOptions {
  /** drover's version, the `version` label of `drover_build_info`. */
  version: string;
  /** The drift check interval, exported so alerts can say "3 drift intervals" without a constant. */
  driftIntervalMs?: number;
  /** Export Node's default process metrics (`process_*`, `nodejs_*`); default true. */
  processMetrics?: boolean;
}

/** One finished host run, as recordReconcile takes it. */
export interface ReconcileObservation {
  result: ReconcileResult;
  dryRun: boolean;
  trigger: MetricTrigger;
  /** The whole run (exported as phase `total`). */
  durationMs: number;
  phaseDurationsMs?: Partial<Record<Exclude<ReconcilePhase, 'total'>, number>>;
  /** The resources the run changed: one entry per changed resource. */
  changes?: readonly { kind: string; action: string }[];
}

/** Buckets for runs and phases: from a warm no-op (tens of ms) to a slow apt install (minutes). */
const RUN_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Buckets for SSH handshakes: a few ms on a LAN, seconds across the world or at a timeout. */
const CONNECT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The Prometheus text content type of `exposition()`. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/**
 * The controller's metrics. Every method is synchronous, cheap and never throws for values that
 * the TypeScript types allow; a label value outside its closed set (a caller bug) throws TypeError.
 */
export class DroverMetrics {
  /** The registry holding every drover metric (and the process metrics unless turned off). */
  readonly registry = new Registry();
  private readonly m: MetricSet;
  private readonly hosts: HostMetrics;
  private readonly scrapeHooks: (() => void)[] = [];
  private stateWriteFailures = 0;
  /** `drover_rollout_wave` and `drover_rollout_halted` (replace them with each lane's rollout). */
  readonly rollouts: RolloutMetrics;
  /** `drover_commit_status_total` and `drover_notifications_total` (reporting back). */
  readonly report: ReportMetrics;
  /** `drover_host_lockouts_total{host}` (countLockout; its hosts follow replaceHosts). */
  readonly lockouts: LockoutMetrics;

  constructor(options: MetricsOptions) {
    this.m = defineMetrics(this.registry);
    this.hosts = new HostMetrics(this.registry);
    this.rollouts = new RolloutMetrics(this.registry);
    this.report = new ReportMetrics(this.registry);
    this.lockouts = new LockoutMetrics(this.registry);
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.m.buildInfo.set({ version: options.version }, 1);
    if (options.driftIntervalMs !== undefined) this.setDriftInterval(options.driftIntervalMs);
    initialiseCounters(this.m);
  }

  /**
   * The exposition in Prometheus text format (content type METRICS_CONTENT_TYPE), after running the
   * beforeScrape hooks. Serve this rather than `registry.metrics()`, which skips the hooks.
   */
  exposition(): Promise<string> {
    for (const hook of this.scrapeHooks) hook();
    return this.registry.metrics();
  }

  /**
   * Runs `hook` before each exposition, to read figures that are cheaper to pull than to push:
   * `metrics.beforeScrape(() => { metrics.replaceHosts(api.hosts()); metrics.setQueueDepth(queue.len()); })`.
   * The hook must be synchronous and must not throw.
   */
  beforeScrape(hook: () => void): void {
    this.scrapeHooks.push(hook);
  }

  /** One source fetch. `revision` (a Revision.name) is the revision fetched, when it succeeded. */
  recordFetch(fetch: { ok: boolean; atMs: number; revision?: string }): void {
    this.m.fetches.inc({ result: fetch.ok ? 'success' : 'failure' });
    this.m.lastFetch.set(fetch.atMs / 1000);
    if (!fetch.ok) return;
    this.m.lastFetchSuccess.set(fetch.atMs / 1000);
    if (fetch.revision !== undefined) {
      this.m.revision.reset();
      this.m.revision.set({ revision: fetch.revision }, 1);
    }
  }

  /** Whether the newest fetched revision passed validation (the gate). */
  setManifestValid(valid: boolean): void {
    this.m.manifestValid.set(valid ? 1 : 0);
  }

  /** One finished host run: its result, its durations by phase, the resources it changed. */
  recordReconcile(run: ReconcileObservation): void {
    const result = requireLabel('drover_reconcile_total{result}', RECONCILE_RESULTS, run.result);
    const trigger = requireLabel('drover_reconcile_total{trigger}', TRIGGERS, run.trigger);
    this.m.reconciles.inc({ result, trigger, dry_run: String(run.dryRun) });
    this.m.duration.observe({ phase: 'total' }, run.durationMs / 1000);
    for (const [phase, ms] of Object.entries(run.phaseDurationsMs ?? {})) {
      if (ms !== undefined) this.m.duration.observe({ phase: requireLabel('drover_reconcile_duration_seconds{phase}', RECONCILE_PHASES, phase) }, ms / 1000);
    }
    for (const change of run.changes ?? []) {
      this.m.changes.inc({ kind: boundedLabel(RESOURCE_KINDS, change.kind), action: requireLabel('drover_resource_changes_total{action}', CHANGE_ACTIONS, change.action) });
    }
  }

  /** A host's record changed (or was loaded at start); a record with `removedAt` removes the host. */
  setHostRecord(record: HostMetricsRecord): void {
    this.hosts.set(record);
  }

  /**
   * The hosts are exactly `records` (the live inventory with statuses derived now): every other host
   * loses its series. Records with `removedAt` are left out.
   */
  replaceHosts(records: Iterable<HostMetricsRecord>): void {
    this.hosts.replace(records);
    this.lockouts.retain(this.hosts.hosts());
  }

  /** A run on `host` was undone by its lockout guard (E_LOCKED_OUT). */
  countLockout(host: string): void {
    this.lockouts.count(host);
  }

  /** The host left the inventory: every series with its name is deleted. */
  removeHost(host: string): void {
    this.hosts.remove(host);
  }

  /** Deletes the series of every host that is not in `inventory` (call after a new revision is accepted). */
  retainHosts(inventory: ReadonlySet<string>): void {
    this.hosts.retain(inventory);
  }

  /** Time an SSH connection took to be ready (TCP connect + handshake + authentication). */
  observeSshConnect(durationMs: number): void {
    this.m.sshConnect.observe(durationMs / 1000);
  }

  /** One SSH error, by its transport error code (`E_CONNECT_REFUSED` -> reason `connect_refused`). */
  countSshError(code: string): void {
    this.m.sshErrors.inc({ reason: sshErrorReason(code) });
  }

  /** Hosts waiting in the work queue. */
  setQueueDepth(depth: number): void {
    this.m.queueDepth.set(depth);
  }

  /** Whether the state dir takes writes now, and how many writes have failed since the start (a running total). */
  setStateWrites(state: { writable: boolean; writeFailures: number }): void {
    this.m.stateWritable.set(state.writable ? 1 : 0);
    const seen = this.stateWriteFailures;
    if (state.writeFailures > seen) this.m.stateWriteFailures.inc(state.writeFailures - seen);
    this.stateWriteFailures = Math.max(seen, state.writeFailures);
  }

  /** One sync request (API, CLI, webhook, schedule), by what asked for it. */
  countSync(trigger: MetricTrigger): void {
    this.m.syncs.inc({ trigger: requireLabel('drover_sync_requests_total{trigger}', TRIGGERS, trigger) });
  }

  /** One webhook call, by provider and outcome. */
  countWebhook(provider: WebhookProvider, result: WebhookResult): void {
    this.m.webhooks.inc({
      provider: requireLabel('drover_webhook_requests_total{provider}', WEBHOOK_PROVIDERS, provider),
      result: requireLabel('drover_webhook_requests_total{result}', WEBHOOK_RESULTS, result),
    });
  }

  /** The drift check interval in force. */
  setDriftInterval(intervalMs: number): void {
    this.m.driftInterval.set(intervalMs / 1000);
  }
}

/** A DroverMetrics on a fresh registry. */
export function createMetrics(options: MetricsOptions): DroverMetrics {
  return new DroverMetrics(options);
}

type MetricSet = ReturnType<typeof defineMetrics>;

function defineMetrics(registry: Registry) {
  const registers = [registry];
  return {
    buildInfo: new Gauge({ name: 'drover_build_info', help: 'Which drover is running (always 1).', labelNames: ['version'], registers }),
    revision: new Gauge({ name: 'drover_source_revision_info', help: 'The revision last fetched (always 1).', labelNames: ['revision'], registers }),
    fetches: new Counter({ name: 'drover_source_fetch_total', help: 'Source fetches, by result.', labelNames: ['result'], registers }),
    lastFetch: new Gauge({ name: 'drover_source_last_fetch_timestamp_seconds', help: 'When the source was last fetched (epoch seconds).', registers }),
    lastFetchSuccess: new Gauge({ name: 'drover_source_last_success_timestamp_seconds', help: 'When a source fetch last succeeded (epoch seconds).', registers }),
    manifestValid: new Gauge({ name: 'drover_manifest_valid', help: 'Whether the newest fetched revision passed validation (1) or was rejected (0).', registers }),
    reconciles: new Counter({ name: 'drover_reconcile_total', help: 'Host runs, by result, dry run or not, and trigger.', labelNames: ['result', 'dry_run', 'trigger'], registers }),
    duration: new Histogram({ name: 'drover_reconcile_duration_seconds', help: 'Time host runs spent, by phase (total: the whole run).', labelNames: ['phase'], buckets: RUN_BUCKETS, registers }),
    changes: new Counter({ name: 'drover_resource_changes_total', help: 'Resources changed on hosts, by kind and action.', labelNames: ['kind', 'action'], registers }),
    sshConnect: new Histogram({ name: 'drover_ssh_connect_duration_seconds', help: 'Time SSH connections took to be ready.', buckets: CONNECT_BUCKETS, registers }),
    sshErrors: new Counter({ name: 'drover_ssh_errors_total', help: 'SSH errors, by reason.', labelNames: ['reason'], registers }),
    queueDepth: new Gauge({ name: 'drover_queue_depth', help: 'Host runs waiting in the work queue.', registers }),
    stateWritable: new Gauge({ name: 'drover_state_writable', help: 'Whether the state dir takes writes (0 from a failed write until one succeeds).', registers }),
    stateWriteFailures: new Counter({ name: 'drover_state_write_failures_total', help: 'Writes of state files that failed (disk full, read-only).', registers }),
    syncs: new Counter({ name: 'drover_sync_requests_total', help: 'Sync requests, by trigger.', labelNames: ['trigger'], registers }),
    webhooks: new Counter({ name: 'drover_webhook_requests_total', help: 'Webhook calls, by provider and result.', labelNames: ['provider', 'result'], registers }),
    driftInterval: new Gauge({ name: 'drover_drift_interval_seconds', help: 'The drift check interval in force.', registers }),
  };
}

/**
 * Creates every series of the closed label sets at 0 (and the gauges at their start values), so
 * rate() and increase() have a series from the first scrape and queries need no absent().
 */
function initialiseCounters(m: MetricSet): void {
  for (const result of FETCH_RESULTS) m.fetches.inc({ result }, 0);
  for (const result of RECONCILE_RESULTS) {
    for (const trigger of TRIGGERS) for (const dryRun of ['true', 'false']) m.reconciles.inc({ result, trigger, dry_run: dryRun }, 0);
  }
  for (const phase of RECONCILE_PHASES) m.duration.zero({ phase });
  for (const kind of RESOURCE_KINDS) for (const action of CHANGE_ACTIONS) m.changes.inc({ kind, action }, 0);
  for (const reason of SSH_ERROR_REASONS) m.sshErrors.inc({ reason }, 0);
  for (const trigger of TRIGGERS) m.syncs.inc({ trigger }, 0);
  for (const provider of WEBHOOK_PROVIDERS) for (const result of WEBHOOK_RESULTS) m.webhooks.inc({ provider, result }, 0);
  m.queueDepth.set(0);
  m.stateWritable.set(1);
  m.stateWriteFailures.inc(0);
}
