/**
 * A real Prometheus (Debian's binary) for tests: started on a free loopback port with a generated
 * config and a temporary storage dir, scraping the given targets every second and evaluating the
 * given rule files; queried through its HTTP API. Readiness and results are polled, never slept for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { guardFleet } from '../fleet/exit-guard.js';
import { freePort } from './net.js';
import { poll, PollAborted } from './poll.js';
import { PROMETHEUS, requirePrometheus } from './promtool.js';

/** A running test Prometheus. */
export interface TestPrometheus {
  url: string;
  dir: string;
  /** Instant query; throws with Prometheus's error when the query does not parse or fails. */
  query(expr: string): Promise<PromSample[]>;
  /** Alerts in the firing or pending state. */
  alerts(): Promise<PromAlert[]>;
  /** The scrape targets and their health. */
  targets(): Promise<{ scrapeUrl: string; health: string; lastError: string }[]>;
  stop(): Promise<void>;
}

export interface PromSample { metric: Record<string, string>; value: [number, string] }
export interface PromAlert { labels: Record<string, string>; annotations: Record<string, string>; state: 'pending' | 'firing'; value: string }

/** poll() options for waiting on what Prometheus reports: a scrape or rule evaluation takes a while, so ask every 250 ms, up to a minute. */
export const PROMETHEUS_WAIT = { timeoutMs: 60_000, everyMs: 250 };

async function api<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${url}: ${body.error ?? response.status}`);
  return body.data;
}

function writeConfig(dir: string, options: { targets: string[]; ruleFiles: string[] }): string {
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: options.ruleFiles,
    scrape_configs: [{ job_name: 'drover', static_configs: [{ targets: options.targets }] }],
  };
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, stringify(config));
  return file;
}

/**
 * Starts Prometheus scraping `targets` (host:port, path /metrics) under `job="drover"`. A port taken
 * between picking and binding it (another test's server) is retried on a new port, twice.
 */
export async function startPrometheus(options: { targets: string[]; ruleFiles?: string[] }): Promise<TestPrometheus> {
  requirePrometheus();
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(options);
    } catch (err) {
      if (attempt >= 3 || !/address already in use/.test((err as Error).message)) throw err;
    }
  }
}

async function launch(options: { targets: string[]; ruleFiles?: string[] }): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'drover-prometheus-'));
  const config = writeConfig(dir, { targets: options.targets, ruleFiles: options.ruleFiles ?? [] });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(PROMETHEUS, [
    `--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=1h', '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const unguard = guardFleet(() => child.kill('SIGKILL'));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    unguard();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await poll('Prometheus to be ready', async () => {
      if (child.exitCode !== null) throw new PollAborted(`prometheus exited with ${child.exitCode}: ${log}`);
      return (await fetch(`${url}/-/ready`)).ok;
    }, { timeoutMs: 30_000 });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    dir,
    query: async (expr) => (await api<{ result: PromSample[] }>(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
    alerts: async () => (await api<{ alerts: PromAlert[] }>(`${url}/api/v1/alerts`)).alerts,
    targets: async () => (await api<{ activeTargets: { scrapeUrl: string; health: string; lastError: string }[] }>(`${url}/api/v1/targets`)).activeTargets,
    stop,
  };
}
