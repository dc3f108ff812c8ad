/**
 * The bench's settings from the environment (BENCH_RUNS, BENCH_HOSTS, BENCH_SCALE, BENCH_OUT,
 * BENCH_START_RUNS, BENCH_SCALE_HOSTS): read once, checked, with their defaults.
 */
import { join } from 'node:path';

/** What the suites run with. */
export interface Settings {
  /** Runs of every fleet suite (medians reported). */
  runs: number;
  /** Hosts of the comparison and of the drover suite. */
  hosts: number;
  /** Fleet sizes of the scale suite. */
  scale: number[];
  /** The generated benchmarks document. */
  out: string;
  /** Rounds of the start suite. */
  startRuns: number;
  /** Target hosts of scale-controller. */
  scaleHosts: number;
}

/** Reads the settings from `env`; throws naming the bad values. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Settings {
  const runs = Number(env.BENCH_RUNS ?? 3);
  const hosts = Number(env.BENCH_HOSTS ?? 20);
  const scale = (env.BENCH_SCALE ?? '50,200').split(',').filter(Boolean).map(Number);
  const bad = [runs, hosts, ...scale].filter((n) => !Number.isInteger(n) || n < 1 || n > 254);
  if (bad.length > 0) throw new Error(`BENCH_RUNS, BENCH_HOSTS and BENCH_SCALE must be integers 1..254 (got ${bad.join(', ')})`);
  const startRuns = Number(env.BENCH_START_RUNS ?? 15);
  if (!Number.isInteger(startRuns) || startRuns < 1) throw new Error(`BENCH_START_RUNS must be a positive integer (got ${env.BENCH_START_RUNS})`);
  const scaleHosts = Number(env.BENCH_SCALE_HOSTS ?? 1000);
  return { runs, hosts, scale, startRuns, scaleHosts, out: env.BENCH_OUT ?? join(import.meta.dirname, '..', '..', 'docs', 'benchmarks.md') };
}
