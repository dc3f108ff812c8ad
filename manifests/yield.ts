/**
 * Cooperative time slicing for long synchronous work (YAML parsing, schema validation, template
 * rendering of many hosts): the controller loads a revision in its own event loop, and a load of
 * hundreds of hosts must not hold HTTP requests and timers for the whole load.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';

/** Gives the event loop a turn when the current slice has run for `sliceMs`; a no-op otherwise. */
export type Yielder = () => Promise<void>;

/** How long loading may run before it lets timers and I/O callbacks run (ms). */
export const DEFAULT_SLICE_MS = 8;

/**
 * Returns a Yielder: calling it resolves at once while less than `sliceMs` passed since the last
 * turn, else after one setImmediate (after pending I/O callbacks), so a long loop calling it
 * between items blocks the loop for about one slice plus one item. It never changes results.
 */
export function createYielder(sliceMs: number = DEFAULT_SLICE_MS, now: () => number = () => performance.now()): Yielder {
  let sliceStart = now();
  return async () => {
    if (now() - sliceStart < sliceMs) return;
    await nextTurn();
    sliceStart = now();
  };
}

/** Maps `items` with the synchronous `fn` in order, calling `pause` before each item. */
export async function mapYielding<T, R>(items: readonly T[], pause: Yielder, fn: (item: T, index: number) => R): Promise<R[]> {
  const out: R[] = [];
  for (const [i, item] of items.entries()) {
    await pause();
    out.push(fn(item, i));
  }
  return out;
}
