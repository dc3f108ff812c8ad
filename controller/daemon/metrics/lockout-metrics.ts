/**
 * `drover_host_lockouts_total{host}`: runs the lockout guard undid on each host because the controller
 * could not confirm them over a new SSH connection (E_LOCKED_OUT). Every live host has a series from the
 * first scrape (0 until its first lockout), so `increase()` sees the first one; a host that leaves the
 * inventory loses its series.
 */
import { Counter, type Registry } from 'prom-client';

/** The lockout counter on `registry`. */
export class LockoutMetrics {
  private readonly counts = new Map<string, number>();
  /** Replaced in place by retain(), so the collect hook below always reads the current set. */
  private readonly live = new Set<string>();

  constructor(registry: Registry) {
    const { counts, live } = this;
    new Counter({
      name: 'drover_host_lockouts_total',
      help: 'Runs undone on each host by its lockout guard: drover could not confirm them over a new SSH connection within confirmWithin.',
      labelNames: ['host'], registers: [registry],
      collect() {
        this.reset();
        for (const host of live) this.inc({ host }, counts.get(host) ?? 0);
      },
    });
  }

  /** One lockout of `host`. */
  count(host: string): void {
    this.counts.set(host, (this.counts.get(host) ?? 0) + 1);
    this.live.add(host);
  }

  /** The live hosts are exactly these (a series each; others lose theirs). */
  retain(hosts: Iterable<string>): void {
    this.live.clear();
    for (const host of hosts) this.live.add(host);
    for (const host of [...this.counts.keys()]) if (!this.live.has(host)) this.counts.delete(host);
  }
}
