/**
 * Helpers of the controller e2e tests: manifest files for fleet hosts, and a real `drover controller`
 * process (bin/drover.js -> dist/, run `npm run build` first) whose JSON log lines and state files the
 * tests poll for readiness, or the real daemon in the test's process (startLiveController).
 * useControllerEnv() registers a test file's set-up and tear-down of a fleet, a Git remote
 * (test/support/git-remote.ts), a temp dir and the controllers it starts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { stringify } from 'yaml';
import type { Fleet, StartFleetOptions } from '../../fleet/index.js';
import { useFleet } from '../../support/fleet.js';
import { useGitRemote, type GitRemote } from '../../support/git-remote.js';
import { ROOT } from '../../support/paths.js';
import { poll, PollAborted, type NotYet, type PollOptions } from '../../support/poll.js';
import { loadControllerConfig, type ControllerSettings } from '../../../controller/config/index.js';
import type { DaemonEvents } from '../../../controller/daemon/context.js';
import { startController, type RunningController } from '../../../controller/daemon/controller.js';
import { createLogger, type Logger } from '../../../controller/daemon/log.js';
import type { ControllerRecord, HostRecord } from '../../../controller/daemon/state/records.js';
import { resolveSshSettings } from '../../../controller/reconcile/ssh-settings.js';

export { hostFile } from '../../support/host-file.js';

/** Controller config (YAML) for the tests: short intervals, the fleet's keys. */
export function controllerConfig(options: { remote: GitRemote; fleet: Fleet; stateDir: string; extra?: Record<string, unknown> }): string {
  return stringify({
    source: { url: options.remote.bare, branch: 'main', interval: '200ms' },
    stateDir: options.stateDir,
    // A free port: tests (and other worktrees) run controllers side by side.
    listen: '127.0.0.1:0',
    concurrency: 4,
    driftInterval: '1h',
    runTimeout: '60s',
    shutdownGrace: '20s',
    retry: { baseSeconds: 0.2, maxSeconds: 1 },
    circuitBreaker: { failures: 2, cooldownSeconds: 1 },
    sshKnownHostsFile: options.fleet.knownHostsFile,
    sshIdentityFiles: [options.fleet.clientKeyFile],
    sshConnectTimeout: '3s',
    logLevel: 'info',
    ...options.extra,
  });
}

/** A JSON log line of the controller. */
export type LogEvent = Record<string, unknown> & { msg: string };

/** A running `drover controller` process. */
export interface ControllerProcess {
  child: ChildProcess;
  stateDir: string;
  /** Every JSON log line so far. */
  events: LogEvent[];
  stderr(): string;
  /** Resolves with the first event (past or future) matching `match`; rejects when the process exits first. */
  waitForEvent(match: (e: LogEvent) => boolean, what: string): Promise<LogEvent>;
  /**
   * poll() (every 50 ms, with no limit of its own: the test's or hook's timeout ends it, unless `options`
   * say otherwise) until `check` returns a value (not undefined or false); rejects at once when the
   * process exits first.
   */
  waitFor<T>(check: () => Promise<T | NotYet>, what: string, options?: PollOptions): Promise<T>;
  /** SIGTERM, then resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/**
 * Starts `drover controller --config <dir>/drover.config.yaml` with `config` written there, or, without
 * `config`, `drover controller ARGS` (the embedded defaults) in `dir`. `detached` puts it in a process
 * group of its own, so a Ctrl-C on the terminal reaches only the caller, which then stops it with SIGTERM.
 */
export async function startControllerProcess(options: { dir: string; config?: string; args?: string[]; stateDir: string; detached?: boolean }): Promise<ControllerProcess> {
  const file = join(options.dir, 'drover.config.yaml');
  if (options.config !== undefined) await writeFile(file, options.config);
  const given = options.args ?? [];
  // A free port for the HTTP listener unless the test chose one: controllers run side by side.
  const args = options.config !== undefined ? ['--config', file] : [...given, ...(given.includes('--listen') ? [] : ['--listen', '127.0.0.1:0'])];
  const child = spawn(process.execPath, [join(ROOT, 'bin/drover.js'), 'controller', ...args], {
    cwd: options.dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false,
  });
  const events: LogEvent[] = [];
  let stderr = '';
  let buffer = '';
  let ended = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      try {
        events.push(JSON.parse(line) as LogEvent);
      } catch {
        events.push({ msg: line });
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => {
    ended = true;
    resolve(code);
  }));
  const waitFor = <T>(check: () => Promise<T | NotYet>, what: string, options: PollOptions = {}): Promise<T> => poll(what, async () => {
    // Read after the exit too: the last state files and log lines are there by then.
    const gone = ended;
    const exitedWhile = (detail: string): PollAborted =>
      new PollAborted(`controller exited while waiting for ${what}${detail}\nstderr: ${stderr}\nlog: ${events.slice(-20).map((e) => JSON.stringify(e)).join('\n')}`);
    const value = await check().catch((error: unknown) => {
      throw gone ? exitedWhile(` (${(error as Error).message})`) : error;
    });
    if (gone && (value === undefined || value === false)) throw exitedWhile('');
    return value;
  }, { everyMs: 50, timeoutMs: Infinity, ...options });
  return {
    child, stateDir: options.stateDir, events, exited,
    stderr: () => stderr,
    waitFor,
    waitForEvent: (match, what) => waitFor(async () => events.find(match), what),
    async stop() {
      if (!ended) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A host's record from the state dir, or undefined. */
export async function hostRecord(stateDir: string, host: string): Promise<HostRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(stateDir, 'hosts', `${host}.json`), 'utf8')) as HostRecord;
  } catch {
    return undefined;
  }
}

/** The controller record from the state dir, or undefined. */
export async function controllerRecord(stateDir: string): Promise<ControllerRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(stateDir, 'controller.json'), 'utf8')) as ControllerRecord;
  } catch {
    return undefined;
  }
}

/** Polls until `host`'s record satisfies `match`; resolves with it. */
export function waitForHost(ctl: ControllerProcess, host: string, match: (r: HostRecord) => boolean, what: string): Promise<HostRecord> {
  return ctl.waitFor(async () => {
    const record = await hostRecord(ctl.stateDir, host);
    return record && match(record) ? record : undefined;
  }, `${host}: ${what}`);
}

/** `main@sha1:<commit>` */
export function revisionOf(commit: string): string {
  return `main@sha1:${commit}`;
}

/**
 * poll() options for a wait inside a test that has no limit of its own but the test's: most of vitest's
 * 60 s testTimeout (vitest.config.ts), so a wait that never ends fails naming what it waited for.
 */
export const WITHIN_A_TEST: PollOptions = { timeoutMs: 55_000 };

/** poll() for test/bench, which polls every few ms and sets no limit (tests name what they wait for: poll()). */
export function until<T>(check: () => T | undefined, everyMs = 20): Promise<T> {
  return poll('a bench condition', check, { everyMs, timeoutMs: Infinity });
}

/**
 * Starts the real daemon in this process, on the real clock (startController: its API, real git, `env`'s
 * fleet and remote; test/support/in-process-controller.ts is the one on a manual clock), with
 * controllerConfig() of `env` written as env.dir/drover.config.yaml and a silent log; the caller stops it.
 */
export async function startLiveController(env: ControllerEnv, events?: DaemonEvents): Promise<{ controller: RunningController; settings: ControllerSettings; log: Logger }> {
  await writeFile(join(env.dir, 'drover.config.yaml'), controllerConfig({ remote: env.remote, fleet: env.fleet, stateDir: env.stateDir }));
  const settings = await loadControllerConfig({ cwd: env.dir, env: {}, isRoot: false });
  const ssh = resolveSshSettings({ env: {}, knownHosts: env.fleet.knownHostsFile, identities: [env.fleet.clientKeyFile], connectTimeoutSeconds: 3 });
  const log = createLogger({ level: 'silent' });
  return { controller: await startController({ settings, ssh, log, events }), settings, log };
}

/** A temp dir for a test's config and state. */
export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'drover-ctl-run-'));
}

/** What useControllerEnv sets up for a test file; its fields are there once its beforeAll has run. */
export interface ControllerEnv {
  readonly fleet: Fleet;
  readonly remote: GitRemote;
  /** A temp dir for the file's config and state (removed in afterAll). */
  readonly dir: string;
  /** `<dir>/state`: the state dir start() uses unless told otherwise. */
  readonly stateDir: string;
  /**
   * Starts a `drover controller` process in `dir`, stopped in afterAll: with controllerConfig() of this
   * env (`extra` added) written as its config, or, given `args`, with those arguments and no config file.
   */
  start(options?: { stateDir?: string; extra?: Record<string, unknown>; args?: string[] }): Promise<ControllerProcess>;
  /** Registers `stop` to run in afterAll, before the fleet, remote and dir go (last registered first). */
  onTeardown(stop: () => Promise<unknown>): void;
}

/**
 * Registers the beforeAll and afterAll hooks of a controller e2e file: a fleet started with `fleetOptions`
 * (useFleet, test/support/fleet.ts), a bare remote, a temp dir; afterAll stops what start() started and
 * what onTeardown() registered (last first), removes the remote and the dir, then stops the fleet. Call
 * it at the top level of the file.
 */
export function useControllerEnv(fleetOptions: StartFleetOptions): ControllerEnv {
  const fleetEnv = useFleet(fleetOptions);
  const remote = useGitRemote();
  let dir: string | undefined;
  const teardown: (() => Promise<unknown>)[] = [];
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useControllerEnv: used before its beforeAll has run');
    return value;
  };
  beforeAll(async () => {
    dir = await tempDir();
  });
  // Registered after useFleet's and useGitRemote's afterAll, so it runs first: the controllers stop
  // before the remote and the fleet go.
  afterAll(async () => {
    for (const stop of [...teardown].reverse()) await stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const env: ControllerEnv = {
    get fleet() { return fleetEnv.fleet; },
    remote,
    get dir() { return ready(dir); },
    get stateDir() { return join(ready(dir), 'state'); },
    async start(options = {}) {
      const stateDir = options.stateDir ?? env.stateDir;
      const ctl = options.args
        ? await startControllerProcess({ dir: env.dir, stateDir, args: options.args })
        : await startControllerProcess({ dir: env.dir, stateDir, config: controllerConfig({ remote: env.remote, fleet: env.fleet, stateDir, extra: options.extra }) });
      teardown.push(() => ctl.stop());
      return ctl;
    },
    onTeardown(stop) { teardown.push(stop); },
  };
  return env;
}
