/**
 * Durations as the config writes them (`30s`, `1m`, `1h30m`, `250ms`), the format of the config
 * schema's `duration` definition.
 */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds in a duration string. Returns undefined for text the schema's pattern rejects
 * (the config validator reports those with their position).
 */
export function parseDuration(text: string): number | undefined {
  if (!/^([0-9]+(ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/([0-9]+)(ms|s|m|h)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return total;
}
