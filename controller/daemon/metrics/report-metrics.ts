/**
 * Delivery metrics of reporting back: `drover_commit_status_total{result}` and
 * `drover_notifications_total{target,result}`, one count per delivery attempt: success, failure (it
 * stays queued and is retried) or dropped (refused for good, or pushed out of a full queue). `target` is
 * the notification's configured name (or index): a bounded label, never its URL.
 */
import { Counter, type Registry } from 'prom-client';
import { requireLabel } from './metric-labels.js';

/** Outcomes of one delivery attempt. */
export const DELIVERY_RESULTS = ['success', 'failure', 'dropped'] as const;
export type DeliveryResultLabel = (typeof DELIVERY_RESULTS)[number];

/** The delivery counters on `registry`. */
export class ReportMetrics {
  private readonly statuses: Counter<'result'>;
  private readonly notifications: Counter<'target' | 'result'>;

  constructor(registry: Registry) {
    this.statuses = new Counter({ name: 'drover_commit_status_total', help: 'Commit status deliveries to the Git forge, by result (success, failure: retried, dropped).', labelNames: ['result'], registers: [registry] });
    this.notifications = new Counter({ name: 'drover_notifications_total', help: 'Notification deliveries, by target (its configured name) and result (success, failure: retried, dropped).', labelNames: ['target', 'result'], registers: [registry] });
    for (const result of DELIVERY_RESULTS) this.statuses.inc({ result }, 0);
  }

  /** The configured notification targets: their series exist from the start at 0. */
  setTargets(names: readonly string[]): void {
    for (const target of names) for (const result of DELIVERY_RESULTS) this.notifications.inc({ target, result }, 0);
  }

  /** One commit status delivery attempt. */
  countCommitStatus(result: DeliveryResultLabel): void {
    this.statuses.inc({ result: requireLabel('drover_commit_status_total{result}', DELIVERY_RESULTS, result) });
  }

  /** One notification delivery attempt to `target` (a configured name: the label stays bounded by the config). */
  countNotification(target: string, result: DeliveryResultLabel): void {
    this.notifications.inc({ target, result: requireLabel('drover_notifications_total{result}', DELIVERY_RESULTS, result) });
  }
}
