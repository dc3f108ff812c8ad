/**
 * Maintenance windows: whether changes may be applied at a given instant. Pure: the time comes in as an
 * argument (the daemon's clock), so it is tested with fixtures, never by waiting.
 */
import { Cron } from 'croner';
import type { WindowSpec } from '../../manifests/policies.js';

/** Whether applying is allowed at `now`, and why not. */
export interface WindowVerdict {
  open: boolean;
  /** Why it is closed, e.g. `OutsideWindow: inside deny window "0 9 * * 1-5" (Europe/Berlin, 8h) until ...`. */
  reason?: string;
  /** When it opens next (epoch ms), when known within a year. */
  opensAt?: number;
}

/** The start (epoch ms) of the occurrence of `w` that covers `now`, if `now` is inside it. */
export function activeSince(w: WindowSpec, now: number): number | undefined {
  // The latest start at or before now: croner's previousRuns lists starts before the reference.
  const [start] = new Cron(w.cron, { timezone: w.timeZone, paused: true }).previousRuns(1, new Date(now + 1));
  if (!start) return undefined;
  const at = start.getTime();
  return now < at + w.durationMs ? at : undefined;
}

/**
 * Open when no deny window covers `now` and either no allow window is declared or one covers it.
 * When closed, `opensAt` is the earliest instant (a deny window's end or an allow window's next start)
 * at which it is open.
 */
export function windowVerdict(windows: readonly WindowSpec[], now: number): WindowVerdict {
  const closed = closedBy(windows, now);
  if (!closed) return { open: true };
  const opensAt = nextOpening(windows, now);
  const until = opensAt === undefined ? '' : `; opens at ${new Date(opensAt).toISOString()}`;
  return { open: false, reason: `OutsideWindow: ${closed}${until}`, ...(opensAt === undefined ? {} : { opensAt }) };
}

function closedBy(windows: readonly WindowSpec[], now: number): string | undefined {
  const deny = windows.find((w) => w.kind === 'deny' && activeSince(w, now) !== undefined);
  if (deny) return `inside deny window ${describe(deny)}`;
  const allows = windows.filter((w) => w.kind === 'allow');
  if (allows.length === 0 || allows.some((w) => activeSince(w, now) !== undefined)) return undefined;
  return `outside every allowed window (${allows.map(describe).join(', ')})`;
}

/** Candidate instants where the verdict may change to open, tried in order (bounded: 64 steps, a year). */
function nextOpening(windows: readonly WindowSpec[], now: number): number | undefined {
  let t = now;
  for (let i = 0; i < 64; i++) {
    const candidates = windows.flatMap((w) => {
      const since = activeSince(w, t);
      if (w.kind === 'deny' && since !== undefined) return [since + w.durationMs];
      const next = new Cron(w.cron, { timezone: w.timeZone, paused: true }).nextRun(new Date(t));
      return w.kind === 'allow' && next ? [next.getTime()] : [];
    }).filter((c) => c > t);
    if (candidates.length === 0) return undefined;
    t = Math.min(...candidates);
    if (t - now > 366 * 86_400_000) return undefined;
    if (!closedBy(windows, t)) return t;
  }
  return undefined;
}

function describe(w: WindowSpec): string {
  return `"${w.cron}" (${w.timeZone}, ${Math.round(w.durationMs / 60_000)}m)`;
}
