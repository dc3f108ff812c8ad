/**
 * The controller in the test's own process, on a manual clock: real git (a bare remote in a temp dir),
 * real state files, real SSH to fleet hosts, but time moves only when the test says so, and a run can be
 * held at the host's door (RunGates) to interleave it with other events deterministically. For tests of
 * the worker, revisions and source loop that process-level e2e tests cannot order.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ControllerSettings } from '../../controller/config/index.js';
import { startController, type RunningController } from '../../controller/daemon/controller.js';
import { createLogger } from '../../controller/daemon/log.js';
import type { HostDetail } from '../../controller/daemon/api.js';
import { connectHost } from '../../controller/reconcile/connect.js';
import { resolveSshSettings } from '../../controller/reconcile/ssh-settings.js';
import type { Transport } from '../../controller/transport/types.js';
import type { Fleet } from '../fleet/index.js';
import { ManualClock } from './manual-clock.js';
import { poll } from './poll.js';

/** Holds the commands of a run at a host until the test releases them, or fails them as a broken network would. */
export class RunGates {
  private readonly held = new Map<string, { waiting: number; open: Promise<void>; release: () => void }>();
  private readonly faults = new Map<string, Error>();
  private readonly passed = new Map<string, number>();

  /** From now on, connecting to `host` and its commands fail with `error` (undefined: they work again). */
  fail(host: string, error: Error | undefined): void {
    if (error) this.faults.set(host, error);
    else this.faults.delete(host);
  }

  /** Throws the fault set for `host`, if any (a connect checks it too). */
  check(host: string): void {
    const fault = this.faults.get(host);
    if (fault) throw fault;
  }

  /** From now on, commands sent to `host` wait for release(host). */
  hold(host: string): void {
    let release = (): void => undefined;
    const open = new Promise<void>((resolve) => { release = resolve; });
    this.held.set(host, { waiting: 0, open, release });
  }

  /** Lets the waiting commands of `host` (and later ones) through. */
  release(host: string): void {
    this.held.get(host)?.release();
    this.held.delete(host);
  }

  /** How many commands wait at `host`'s door. */
  waiting(host: string): number {
    return this.held.get(host)?.waiting ?? 0;
  }

  /** How many commands and uploads went through `host`'s door so far. */
  sent(host: string): number {
    return this.passed.get(host) ?? 0;
  }

  /** `transport`, its commands and uploads passing through the gate of its host. */
  wrap(transport: Transport): Transport {
    const pass = async (): Promise<void> => {
      this.check(transport.host);
      const gate = this.held.get(transport.host);
      if (gate) {
        gate.waiting++;
        await gate.open;
      }
      this.passed.set(transport.host, this.sent(transport.host) + 1);
    };
    return {
      host: transport.host,
      get connected() { return transport.connected; },
      run: async (command, options) => { await pass(); return transport.run(command, options); },
      upload: async (path, content, options) => { await pass(); return transport.upload(path, content, options); },
      close: () => transport.close(),
    };
  }
}

/** A controller started by startInProcess. */
export interface InProcessController {
  api: RunningController;
  stateDir: string;
  clock: ManualClock;
  gates: RunGates;
  /** The log lines, parsed. */
  events: (Record<string, unknown> & { msg: string })[];
  /** Resolves once no run is queued or running (runs waiting for a delay do not count). */
  idle(): Promise<void>;
  /** The host as the API shows it (with history). */
  host(name: string): HostDetail;
  stop(): Promise<void>;
}

/** Settings for tests: a long poll interval (the test fetches), short retries, a small breaker. */
export function testSettings(options: { url: string; stateDir: string; fleet: Fleet }, overrides: Partial<ControllerSettings> = {}): ControllerSettings {
  return {
    source: { url: options.url, ref: { branch: 'main' }, timeoutMs: 30_000, intervalMs: 3_600_000, jitterMs: 0, allowNonFastForward: false, verifySignatures: false },
    stateDir: options.stateDir, listen: '127.0.0.1:0', concurrency: 2, selfHeal: true, driftIntervalMs: 600_000,
    runTimeoutMs: 60_000, shutdownGraceMs: 5_000, idleConnectionMs: 3_600_000, observedWithinMs: 30_000, retry: { baseMs: 1_000, maxMs: 8_000 },
    circuitBreaker: { failures: 2, cooldownMs: 30_000 }, ssh: { connectTimeoutMs: 3_000 }, suspendedHosts: [], logLevel: 'info',
    ...overrides,
  };
}

/**
 * Starts the controller in this process against the bare repository `url`, reaching `fleet`'s hosts
 * through RunGates, and waits for its first revision.
 */
export async function startInProcess(options: {
  url: string; fleet: Fleet; settings?: Partial<ControllerSettings>;
}): Promise<InProcessController> {
  const stateDir = await mkdtemp(join(tmpdir(), 'drover-inproc-'));
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  const gates = new RunGates();
  const events: InProcessController['events'] = [];
  const stream = new Writable({ write(chunk, _enc, done) { for (const line of String(chunk).split('\n')) if (line) events.push(JSON.parse(line)); done(); } });
  const ssh = resolveSshSettings({ env: {}, knownHosts: options.fleet.knownHostsFile, identities: [options.fleet.clientKeyFile] });
  const api = await startController({
    settings: testSettings({ url: options.url, stateDir, fleet: options.fleet }, options.settings), ssh, clock,
    random: () => 0.5, log: createLogger({ level: 'info', stream: Object.assign(stream, { isTTY: false }) }),
    connect: async (host, settings) => {
      gates.check(host.name);
      return gates.wrap(await connectHost(host, settings));
    },
  });
  await poll('the first revision', () => (api.status().ready ? true : undefined), { timeoutMs: 30_000 });
  const idle = async (): Promise<void> => {
    await poll('the queue idle', () => {
      const q = api.status().queue;
      return q.queued === 0 && q.processing === 0 ? true : undefined;
    }, { timeoutMs: 60_000 });
  };
  return {
    api, stateDir, clock, gates, events, idle,
    host: (name) => {
      const found = api.host(name);
      if (!found) throw new Error(`no host ${name}`);
      return found;
    },
    stop: async () => {
      await api.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
