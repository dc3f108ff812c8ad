/**
 * Time and randomness enter the daemon through these small interfaces, never through `Date.now()`,
 * `setTimeout` or `Math.random()` directly, so schedules, backoff and the queue are tested with a
 * manual clock (test/support/manual-clock.ts) and a seeded random.
 */

/** A pending timer; `cancel` is idempotent and harmless after the timer fired. */
export interface Timer {
  cancel(): void;
}

/** The daemon's source of time. */
export interface Clock {
  /** Current time, epoch milliseconds. */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now (negative counts as 0). */
  setTimer(ms: number, fn: () => void): Timer;
}

/** Longest delay setTimeout takes; a longer one would fire at once (Node clamps it to 1 ms). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * The real clock. Its timers keep the process alive like any `setTimeout` (a daemon's pending retry
 * is work to do); whoever owns a timer cancels it on shutdown. Delays past ~24.8 days (setTimeout's
 * limit) are waited in several steps rather than firing at once.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const dueAt = Date.now() + Math.max(0, ms);
    let handle: NodeJS.Timeout;
    const arm = (): void => {
      const left = dueAt - Date.now();
      handle = setTimeout(left > MAX_TIMEOUT_MS ? arm : fn, Math.min(Math.max(0, left), MAX_TIMEOUT_MS));
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  },
};

/** A source of uniform random numbers in [0, 1). */
export type Random = () => number;

/** The real randomness (`Math.random`); jitter needs no cryptographic quality. */
export const systemRandom: Random = () => Math.random();
