/**
 * Warm SSH connections for the daemon: the TransportPool keeps one connection per host across runs
 * (drift checks then cost one round trip, no handshake), and a connection unused for `idleMs` is
 * closed, so a quiet fleet holds no sockets.
 */
import type { Transport, TransportPool } from '../reconcile/types.js';
import type { Clock, Timer } from './clock.js';

/** Leases of pooled connections, closed after they have been idle for a while. */
export interface Connections {
  /** The host's transport; `release` must be called when the run is done with it. */
  lease(host: string): { transport: () => Promise<Transport>; release: () => void };
  /** Closes a host's connection now (it left the inventory). */
  drop(host: string): Promise<void>;
  /** Closes every connection and cancels the idle timers. */
  closeAll(): Promise<void>;
  /** Hosts with an open (or opening) connection. */
  readonly size: number;
}

/** Wraps `pool` with idle close after `idleMs` without a lease. */
export function createConnections(options: { pool: TransportPool; clock: Clock; idleMs: number }): Connections {
  const { pool, clock, idleMs } = options;
  const inUse = new Map<string, number>();
  const idle = new Map<string, Timer>();
  const armIdle = (host: string): void => {
    idle.get(host)?.cancel();
    idle.set(host, clock.setTimer(idleMs, () => {
      idle.delete(host);
      if (!inUse.get(host)) void pool.drop(host);
    }));
  };
  return {
    lease(host) {
      idle.get(host)?.cancel();
      idle.delete(host);
      inUse.set(host, (inUse.get(host) ?? 0) + 1);
      let released = false;
      return {
        transport: () => pool.get(host),
        release: () => {
          if (released) return;
          released = true;
          const left = (inUse.get(host) ?? 1) - 1;
          if (left > 0) inUse.set(host, left);
          else {
            inUse.delete(host);
            armIdle(host);
          }
        },
      };
    },
    async drop(host) {
      idle.get(host)?.cancel();
      idle.delete(host);
      await pool.drop(host);
    },
    async closeAll() {
      for (const timer of idle.values()) timer.cancel();
      idle.clear();
      await pool.closeAll();
    },
    get size() {
      return pool.size;
    },
  };
}
