/**
 * One DaemonEvents from several (metrics and the report both listen to the controller's hooks): each
 * hook calls every listener that has it, in the order given.
 */
import type { DaemonEvents } from '../context.js';

/** A DaemonEvents calling each of `listeners` in turn (hooks no listener has stay absent). */
export function mergeEvents(...listeners: DaemonEvents[]): DaemonEvents {
  const merged: Record<string, (...args: unknown[]) => void> = {};
  for (const key of new Set(listeners.flatMap((l) => Object.keys(l)))) {
    const hooks = listeners.map((l) => (l as Record<string, ((...args: unknown[]) => void) | undefined>)[key]).filter((h) => h !== undefined);
    merged[key] = (...args) => {
      for (const hook of hooks) hook(...args);
    };
  }
  return merged as DaemonEvents;
}
