/**
 * Polling for the demo: every wait has a bound (a step that never happens fails the demo with what
 * was awaited and the last thing seen, instead of hanging); none sleeps for a fixed time.
 */
import { setTimeout as delay } from 'node:timers/promises';

/** Thrown when a step did not behave as the demo says it does. */
export class DemoStepFailed extends Error {}

/**
 * Calls `check` every 100 ms until it returns a value (not undefined) and resolves with it; throws
 * DemoStepFailed naming `what` (and `lastSeen()`) after `timeoutMs`.
 */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined>, options: { timeoutMs: number; lastSeen?: () => string }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const seen = options.lastSeen ? `; last seen: ${options.lastSeen()}` : '';
      throw new DemoStepFailed(`${what}: not after ${Math.round(options.timeoutMs / 1000)} s${seen}`);
    }
    await delay(100);
  }
}

/** Throws DemoStepFailed with `message` unless `condition`. */
export function expectThat(condition: boolean, message: string): asserts condition {
  if (!condition) throw new DemoStepFailed(message);
}
