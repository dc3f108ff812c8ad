/**
 * Retry delays for failed host runs: exponential, jittered, capped.
 *
 * The jitter is "equal jitter" (half of the step fixed, half random) rather than full jitter: full jitter
 * may pick a delay near 0 and hammer a host that just failed, while equal jitter still spreads hosts that
 * failed together (a network blip) and guarantees each retry waits at least half its step.
 */
import type { Random } from '../clock.js';

/** Parameters of the backoff. */
export interface BackoffOptions {
  /** Step of the first retry; each further failure doubles it. */
  baseMs: number;
  /** Cap: no delay is longer than this. */
  maxMs: number;
  random: Random;
}

/**
 * The delay before retrying after `failures` consecutive failures (1 = the first failure), whole ms:
 * with step = min(maxMs, baseMs * 2^(failures-1)), a value in [step/2, step). 0 when `failures` < 1.
 */
export function nextDelay(failures: number, options: BackoffOptions): number {
  if (failures < 1) return 0;
  // 2^1000 is Infinity, which min() caps; clamp the exponent only to stay in ordinary numbers.
  const step = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(failures - 1, 1000));
  return Math.floor(step / 2 + (step / 2) * options.random());
}
