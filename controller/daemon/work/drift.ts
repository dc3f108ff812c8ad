/**
 * Drift checks without new commits: every host is observed again once `driftInterval` has passed
 * since its last run. A host that self-heals applies what it finds; in report mode it only plans
 * (and is reported OutOfSync with its plan).
 */
import type { Timer } from '../clock.js';
import { selfHeals, type DaemonContext } from '../context.js';
import { driftChecksDue } from './schedule.js';
import { enqueue } from './enqueue.js';

/** The drift timer. */
export interface DriftLoop {
  start(): void;
  stop(): void;
}

/** Creates the loop; it queues due hosts and sleeps until the next one falls due. */
export function createDriftLoop(ctx: DaemonContext): DriftLoop {
  const interval = ctx.settings.driftIntervalMs;
  let timer: Timer | undefined;
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    const fleet = ctx.fleet();
    let wait = interval;
    if (fleet) {
      const facts = [...fleet.hosts.keys()].map((h) => ctx.driftFacts.get(h) ?? { host: h, suspended: false });
      const now = ctx.clock.now();
      const { due, nextDueAt } = driftChecksDue(facts, now, interval);
      for (const host of due) {
        if (ctx.pending.has(host) || ctx.settings.suspendedByConfig.has(host)) continue;
        enqueue(ctx, host, { trigger: 'drift', apply: selfHeals(ctx, host) });
      }
      // Hosts just queued are due again only after their run; look again within the interval, but not more
      // often than a few times per interval (hosts falling due close together are checked together).
      wait = Math.max(Math.min(1000, interval / 4), Math.min(interval, (nextDueAt ?? now + interval) - now));
    }
    timer = ctx.clock.setTimer(wait, tick);
  };
  return {
    start: tick,
    stop() {
      stopped = true;
      timer?.cancel();
    },
  };
}
