/**
 * The one way a test waits for something: poll(what, probe) asks `probe` again and again (never a fixed
 * sleep) until it gives an answer, and when time runs out fails with a message that names `what` and the
 * last value or error the probe gave.
 *
 *   await poll('the first revision', () => (api.status().ready ? true : undefined), { timeoutMs: 30_000 });
 *   await poll('runsvdir to scan /etc/service', () => sh(host.ssh, 'ps -eo args'), { until: (ps) => /^runsvdir/m.test(ps) });
 */
import { inspect } from 'node:util';

/** Thrown by a probe to end poll() at once: what it waits for can no longer happen (the process died). */
export class PollAborted extends Error {}

export interface PollOptions {
  /** How long to keep trying, in ms; default 30 000. Infinity: until something else ends it. */
  timeoutMs?: number;
  /** The pause between tries, in ms; default 20. */
  everyMs?: number;
}

/** What a probe without `until` returns while the thing waited for has not happened yet. */
export type NotYet = undefined | false;

type Probe<T> = () => T | Promise<T>;

/**
 * Tries `probe` every `everyMs` until it returns something other than undefined or false, and resolves
 * with that; or, given `until`, until `until(value)` holds, and resolves with that value (then the
 * timeout message shows the last value seen). A probe that throws is tried again (the server is not up
 * yet; its last error is in the timeout message), unless it throws PollAborted, which poll rethrows.
 */
export function poll<T>(what: string, probe: Probe<T>, options: PollOptions & { until: (value: T) => boolean }): Promise<T>;
export function poll<T>(what: string, probe: Probe<T | NotYet>, options?: PollOptions): Promise<T>;
export async function poll<T>(what: string, probe: Probe<T | NotYet>, options: PollOptions & { until?: (value: T | NotYet) => boolean } = {}): Promise<T> {
  const { timeoutMs = 30_000, everyMs = 20, until } = options;
  const done = until ?? ((value: T | NotYet) => value !== undefined && value !== false);
  const deadline = Date.now() + timeoutMs;
  let last: { value: unknown } | { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (done(value)) return value as T;
      last = { value };
    } catch (error) {
      if (error instanceof PollAborted) throw error;
      last = { error };
    }
    if (Date.now() >= deadline) {
      const seen = !last ? '' : 'error' in last ? `; last error: ${describe(last.error)}` : until ? `; last value: ${describe(last.value)}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen}`, { cause: last && 'error' in last ? last.error : undefined });
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A value or error as one line (long ones cut). */
function describe(value: unknown): string {
  const text = value instanceof Error ? value.message : inspect(value, { depth: 4, breakLength: Infinity, maxStringLength: 2000 });
  return text.length > 2000 ? `${text.slice(0, 2000)}...` : text;
}
