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

/**
 * The real clock. Its timers keep the process alive like any `setTimeout` (a daemon's pending retry
 * is work to do); whoever owns a timer cancels it on shutdown.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const handle = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(handle) };
  },
};

/** A source of uniform random numbers in [0, 1). */
export type Random = () => number;

/** The real randomness (`Math.random`); jitter needs no cryptographic quality. */
export const systemRandom: Random = () => Math.random();
