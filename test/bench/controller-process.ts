/**
 * A `drover controller` process of one build (its own bin/drover.js, with the NODE_OPTIONS the build
 * deploys it with: deployed-env.ts), with the HTTP API on a free port, for the HTTP bench: the same
 * configuration as the e2e tests' (controllerConfig, the test token and webhook secret), its JSON log
 * lines collected as they come, and polling waits that fail when the process exits or a deadline passes.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fleet } from '../fleet/index.js';
import type { GitRemote } from '../support/git-remote.js';
import { controllerConfig, type LogEvent } from '../e2e/controller/support.js';
import { API_TOKEN, WEBHOOK_SECRET } from '../e2e/http/support.js';
import type { Build } from './builds.js';
import { deployedEnv } from './deployed-env.js';

/** A running controller of one build. */
export interface BuildController {
  build: Build;
  url: string;
  /** The controller process's pid (its CPU time is in /proc/PID/stat). */
  pid: number;
  /** Every JSON log line so far. */
  events: LogEvent[];
  /** Polls `check` every 20 ms until it returns a value; rejects when the process exits or after `timeoutMs` (120 s). */
  waitFor<T>(check: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs?: number): Promise<T>;
  /** SIGTERM; resolves once the process has ended. */
  stop(): Promise<void>;
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

/**
 * Writes the token, secret and config files into `dir` and starts `build`'s controller there;
 * resolves once its HTTP listener is up (the URL from its "HTTP API listening" log line).
 */
export async function startBuildController(build: Build, options: { dir: string; remote: GitRemote; fleet: Fleet; stateDir: string; extra?: Record<string, unknown> }): Promise<BuildController> {
  await writeFile(join(options.dir, 'api-token'), `${API_TOKEN}\n`, { mode: 0o600 });
  await writeFile(join(options.dir, 'webhook-secret'), `${WEBHOOK_SECRET}\n`, { mode: 0o600 });
  const config = join(options.dir, 'drover.config.yaml');
  await writeFile(config, controllerConfig({
    remote: options.remote, fleet: options.fleet, stateDir: options.stateDir,
    extra: { listen: '127.0.0.1:0', apiTokenFile: 'api-token', webhookSecretFile: 'webhook-secret', ...options.extra },
  }));
  // BENCH_CPU_PROF=DIR: each controller writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, build.bin, 'controller', '--config', config], { cwd: options.dir, env: { ...deployedEnv(build.root), NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: LogEvent[] = [];
  let stderr = '';
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (buffer + chunk.toString()).split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      try {
        events.push(JSON.parse(line) as LogEvent);
      } catch {
        events.push({ msg: line });
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const waitFor = async <T>(check: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 120_000): Promise<T> => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${build.name} controller exited while waiting for ${what}\n${stderr}\n${events.slice(-10).map((e) => JSON.stringify(e)).join('\n')}`);
      if (performance.now() > deadline) throw new Error(`${build.name} controller: no ${what} within ${timeoutMs / 1000} s`);
      await tick();
    }
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    const listening = await waitFor(() => events.find((e) => typeof e.url === 'string' && e.msg.startsWith('HTTP API listening')), 'the HTTP listener');
    return { build, url: listening.url as string, pid: child.pid!, events, waitFor, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
