/**
 * Waits for something to become true by asking again and again (never a fixed sleep): resolves with the
 * first value `probe` returns that is not undefined; rejects naming `what`, with the last value or error
 * seen, once `timeoutMs` has passed.
 */
export async function poll<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, options: { timeoutMs?: number; everyMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 20));
  }
}
