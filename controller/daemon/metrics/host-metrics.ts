/**
 * The per-host part of drover's metrics. The controller hands over each host's record as it
 * changes; the gauges are rebuilt from this table at every scrape, so a host that left the
 * inventory has no series left and a host has exactly one `revision` series (its current one).
 */
import { Gauge, type Registry } from 'prom-client';
import { HOST_STATUSES } from './metric-labels.js';

/**
 * What the metrics read from a host's record (a structural subset of HostRecord in
 * docs/controller-design.md, so a HostRecord can be passed as it is). Times are epoch ms.
 */
export interface HostMetricsRecord {
  host: string;
  status: string;
  /** The status reason: a host held back on purpose (window, rollout) says so in its first word. */
  reason?: string;
  lastAppliedRevision?: string;
  lastAttemptAt?: number;
  lastSuccessAt?: number;
  /** `counts` holds the plan summary (create/update/delete/...) of the host's last plan. */
  lastPlan?: { inSync: boolean; counts: Record<string, number> };
  /** Set when the host left the inventory: its series are deleted. */
  removedAt?: number;
  /** Resources in Conflict (self-heal paused for them). */
  conflicts?: readonly { resource: string; reason: string }[];
  /** Set while the host needs a reboot drover has not done. */
  rebootRequired?: unknown;
}

interface HostRow {
  status: string;
  held: boolean;
  drift: number;
  rebootRequired: boolean;
  appliedRevision?: string;
  lastAttemptSeconds?: number;
  lastSuccessSeconds?: number;
  conflicts: readonly { resource: string; reason: string }[];
}

/** Resources the last plan would change: created, updated or deleted. */
export function driftedResources(plan: HostMetricsRecord['lastPlan']): number {
  if (!plan || plan.inSync) return 0;
  const { create = 0, update = 0, delete: remove = 0 } = plan.counts;
  return create + update + remove;
}

/** Reasons of hosts kept from applying on purpose (a maintenance window, a staged rollout, hosts it is `after:`). */
const HELD_REASONS = /^(OutsideWindow|RolloutHalted|RolloutPaused|WaitingForWave):|^waiting for /;

const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

/** Registers the host gauges on `registry` and returns the table that feeds them. */
export class HostMetrics {
  private readonly rows = new Map<string, HostRow>();

  constructor(registry: Registry) {
    const rows = this.rows;
    const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge) => void): void => {
      new Gauge({ name, help, labelNames, registers: [registry], collect() { this.reset(); fill(this); } });
    };
    gauge('drover_host_status', 'Status of each host, one-hot: 1 for its current status, 0 for every other.', ['host', 'status'], (g) => {
      for (const [host, row] of rows) for (const status of HOST_STATUSES) g.set({ host, status }, row.status === status ? 1 : 0);
    });
    gauge('drover_host_held', 'Whether each host is kept from applying on purpose: outside its maintenance window, or waiting for its rollout wave (1), else 0.', ['host'], (g) => {
      for (const [host, row] of rows) g.set({ host }, row.held ? 1 : 0);
    });
    gauge('drover_host_drift_resources', 'Resources the last plan of each host would change.', ['host'], (g) => {
      for (const [host, row] of rows) g.set({ host }, row.drift);
    });
    gauge('drover_host_conflicts', 'Resources of each host in Conflict: they drifted back after repeated repairs (or did not converge right after an apply), and self-heal pauses for them.', ['host'], (g) => {
      for (const [host, row] of rows) g.set({ host }, row.conflicts.length);
    });
    gauge('drover_resource_conflicts', 'Each resource in Conflict (always 1), with why: `drift` (it drifted back after repeated repairs) or `not-idempotent` (a drover bug).', ['host', 'resource', 'reason'], (g) => {
      for (const [host, row] of rows) for (const c of row.conflicts) g.set({ host, resource: c.resource, reason: c.reason }, 1);
    });
    gauge('drover_host_reboot_required', 'Whether each host needs a reboot drover has not done (its `reboot` setting is report, or auto outside its window or wave): 1, else 0.', ['host'], (g) => {
      for (const [host, row] of rows) g.set({ host }, row.rebootRequired ? 1 : 0);
    });
    gauge('drover_host_last_success_timestamp_seconds', 'When each host last reconciled cleanly (epoch seconds).', ['host'], (g) => {
      for (const [host, row] of rows) if (row.lastSuccessSeconds !== undefined) g.set({ host }, row.lastSuccessSeconds);
    });
    gauge('drover_host_last_attempt_timestamp_seconds', 'When each host was last tried (epoch seconds).', ['host'], (g) => {
      for (const [host, row] of rows) if (row.lastAttemptSeconds !== undefined) g.set({ host }, row.lastAttemptSeconds);
    });
    gauge('drover_host_applied_revision_info', 'The revision each host is on (always 1).', ['host', 'revision'], (g) => {
      for (const [host, row] of rows) if (row.appliedRevision !== undefined) g.set({ host, revision: row.appliedRevision }, 1);
    });
  }

  /** Replaces the host's row; a record with `removedAt` removes the host instead. */
  set(record: HostMetricsRecord): void {
    if (record.removedAt !== undefined) {
      this.rows.delete(record.host);
      return;
    }
    this.rows.set(record.host, {
      status: record.status,
      held: record.status === 'OutOfSync' && HELD_REASONS.test(record.reason ?? ''),
      drift: driftedResources(record.lastPlan),
      rebootRequired: record.rebootRequired !== undefined,
      appliedRevision: record.lastAppliedRevision,
      lastAttemptSeconds: seconds(record.lastAttemptAt),
      lastSuccessSeconds: seconds(record.lastSuccessAt),
      conflicts: (record.conflicts ?? []).map((c) => ({ resource: c.resource, reason: c.reason })),
    });
  }

  /** Replaces the whole table: hosts not in `records` (or removed there) lose their series. */
  replace(records: Iterable<HostMetricsRecord>): void {
    this.rows.clear();
    for (const record of records) this.set(record);
  }

  /** Deletes every series of `host`. */
  remove(host: string): void {
    this.rows.delete(host);
  }

  /** Deletes the series of every host not in `inventory`. */
  retain(inventory: ReadonlySet<string>): void {
    for (const host of [...this.rows.keys()]) if (!inventory.has(host)) this.rows.delete(host);
  }

  /** Host names with series, sorted. */
  hosts(): string[] {
    return [...this.rows.keys()].sort();
  }
}
