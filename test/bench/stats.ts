/** Small statistics and formatting helpers for benchmark scripts. */

/** Median of a non-empty list (NaN for an empty one, so a missing figure cannot pass for zero). */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `fn` and returns its wall time in milliseconds. */
export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Formats milliseconds for a table (`-` for a missing figure). */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
}

/** Formats a ratio `a / b` (`-` when either is missing). */
export function ratio(a: number, b: number): string {
  const r = a / b;
  if (!Number.isFinite(r) || r <= 0) return '-';
  if (r >= 10) return `${r.toFixed(0)}x`;
  // Below 1, also say it the other way round: 0.012x is "1/83".
  return r >= 0.5 ? `${r.toFixed(2)}x` : `${r.toPrecision(2)}x (1/${(1 / r).toFixed(0)})`;
}

/** Formats kB as MB (as kB below 1 MB: a page weight, not a process's memory). */
export function mb(kb: number): string {
  if (!Number.isFinite(kb)) return '-';
  return kb < 1024 ? `${kb.toFixed(kb < 100 ? 1 : 0)} kB` : `${(kb / 1024).toFixed(0)} MB`;
}
