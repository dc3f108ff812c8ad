/**
 * Reads Prometheus text exposition into samples, for tests that look at what `/metrics` serves.
 * Enough of the format for prom-client's output: `name{label="value",...} number`, comments skipped.
 */

/** One sample line. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** The line as served. */
  line: string;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of `text`; throws naming the line when one is not in the format. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? '').matchAll(LABEL)) labels[key as string] = JSON.parse(`"${raw}"`) as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]), line });
  }
  return samples;
}

/** The metric family a sample belongs to (histogram `_bucket`/`_sum`/`_count` folded). */
export function familyOf(sample: Pick<Sample, 'name'>): string {
  return sample.name.replace(/_(bucket|sum|count)$/, '');
}

/** The metric families `text` declares (`# TYPE name type` lines), sorted. */
export function declaredFamilies(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+) \S+$/gm)].map((m) => m[1] as string).sort();
}
