/**
 * The controller's side of staged rollouts and maintenance windows: per lane, the rollout of the newest
 * good revision (controller/rollout/ decides; this module queues hosts as waves are released, keeps the
 * state in `<stateDir>/rollouts.json`, and answers "may this host apply now?" for the worker).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DroverError } from '../../../manifests/errors.js';
import {
  assignWaves, heldReason, hostsByLane, orderWaves, isReleased, phaseOf, recordResult, resumeRollout, startRollout, waveHold, waveOf, windowVerdict, windowsOf,
  type RolloutPhase, type RolloutProgress, type WaveHold, type WaveResult,
} from '../../rollout/index.js';
import type { HostResult } from '../../reconcile/types.js';
import { removeFileDurably } from '../../source/atomic-file.js';
import { loadRollouts, RESUME_REQUEST_FILE, saveRollouts } from './rollout-store.js';
import type { Clock, Timer } from '../clock.js';
import type { FleetRevision } from '../revisions/fleet.js';
import type { Logger } from '../log.js';

/** A lane's rollout as the API and metrics show it. */
export interface RolloutView {
  lane: string;
  revision: string;
  phase: RolloutPhase;
  /** 1-based index of the wave rolling out (the number of waves once completed). */
  wave: number;
  waves: { name: string; hosts: string[]; budget: number }[];
  halted?: { wave: string; reason: string; at: number };
  /** When a paused rollout releases its next wave. */
  nextWaveAt?: number;
  /** Hosts still held on their previous revision. */
  held: number;
}

/** What RolloutCoordinator.hold says keeps a host back: a closed window, or a wave not released. */
export type RolloutHold = { kind: 'window'; reason: string; opensAt?: number } | WaveHold;

/** What the worker may do with a host that is to apply. */
export type ApplyGate = { apply: true; healthCheck: boolean } | { apply: false; reason: string; retryAt?: number };

/** The coordinator's effects: queue hosts to apply (revision trigger). */
export interface RolloutDeps {
  clock: Clock;
  log: Logger;
  stateDir: string;
  fleet: () => FleetRevision | undefined;
  release: (hosts: string[]) => void;
  /** Called whenever a rollout changes (metrics, tests). */
  changed?: (views: RolloutView[]) => void;
}

const RESUME_POLL_MS = 1000;

/** Per-lane rollouts of the newest good revision. */
export class RolloutCoordinator {
  private lanes = new Map<string, RolloutProgress>();
  private readonly windowHeld = new Map<string, string>();
  /** When each window-held host's window opens (epoch ms), when known. */
  private readonly windowOpens = new Map<string, number>();
  private timers: Timer[] = [];
  private poll: Timer | undefined;
  private stopped = false;
  private saving: Promise<void> = Promise.resolve();
  private taking = false;

  constructor(private readonly deps: RolloutDeps) {
    for (const p of loadRollouts(deps.stateDir)) this.lanes.set(p.lane, p);
  }

  /**
   * A new good revision: hosts in `changed` (their desired state differs from what they last converged
   * to) that a rollout governs go wave by wave; returns the hosts to queue now (the rest of `changed` plus
   * the first waves). The same revision again (a restart) keeps its rollout as it was, halted or not.
   */
  onRevision(fleet: FleetRevision, changed: readonly string[]): string[] {
    const policies = fleet.policies;
    if (!policies) return [...changed];
    const groups = (h: string): readonly string[] => fleet.hosts.get(h)?.host.groups ?? [];
    const lanes = hostsByLane(changed.map((name) => ({ name, groups: groups(name) })), policies);
    const next = new Map<string, RolloutProgress>();
    for (const [lane, { policy, hosts }] of lanes) {
      const kept = this.lanes.get(lane);
      next.set(lane, kept?.revision === fleet.revision ? kept : startRollout({
        lane, revision: fleet.revision, now: this.deps.clock.now(),
        // A host never waits for a later wave: it goes in the wave of the latest host it is `after:`.
        waves: orderWaves(assignWaves({ hosts, policy, members: fleet.members ?? {} }), (h) => fleet.hosts.get(h)?.host.after ?? []),
      }));
    }
    this.lanes = next;
    this.afterChange();
    const now = this.deps.clock.now();
    // A wave whose pause is still running (a restart during the pause) is released when it ends.
    for (const p of next.values()) if (!p.halted && now < p.releasedAt) this.releaseDue(p);
    return changed.filter((h) => this.laneOf(h) === undefined || isReleased(this.laneOf(h)!, h, now));
  }

  /** Whether `host` may apply the newest revision now (window, then its wave). */
  gate(host: string, options: { overrideWindow: boolean }): ApplyGate {
    const now = this.deps.clock.now();
    const fleet = this.deps.fleet();
    const desired = fleet?.hosts.get(host);
    if (desired && fleet?.policies && !options.overrideWindow) {
      const verdict = windowVerdict(windowsOf(desired.host.groups, fleet.policies), now);
      if (!verdict.open) {
        this.windowHeld.set(host, verdict.reason ?? 'OutsideWindow');
        if (verdict.opensAt === undefined) this.windowOpens.delete(host);
        else this.windowOpens.set(host, verdict.opensAt);
        return { apply: false, reason: verdict.reason ?? 'OutsideWindow', ...(verdict.opensAt === undefined ? {} : { retryAt: verdict.opensAt }) };
      }
    }
    this.windowHeld.delete(host);
    this.windowOpens.delete(host);
    const lane = this.laneOf(host);
    if (!lane) return { apply: true, healthCheck: false };
    if (!isReleased(lane, host, now)) return { apply: false, reason: heldReason(lane, host, now) };
    // Every host of the rollout passes its checks for its wave, retries included (a retry finds it in sync).
    return { apply: true, healthCheck: true };
  }

  /** Why `host` is held on its previous revision, if it is (for its status reason). */
  heldReason(host: string): string | undefined {
    const window = this.windowHeld.get(host);
    if (window) return window;
    const lane = this.laneOf(host);
    const now = this.deps.clock.now();
    return lane && !isReleased(lane, host, now) ? heldReason(lane, host, now) : undefined;
  }

  /**
   * What holds `host` on its previous revision, structured (blocked-by.ts): its window (with when it
   * opens), or its wave (the lane, its wave and the wave rolling out, with the hosts of that wave that
   * have no result yet), with the same one-line reason as heldReason.
   */
  hold(host: string): RolloutHold | undefined {
    const reason = this.heldReason(host);
    if (reason === undefined) return undefined;
    if (this.windowHeld.has(host)) {
      const opensAt = this.windowOpens.get(host);
      return { kind: 'window', reason, ...(opensAt === undefined ? {} : { opensAt }) };
    }
    return waveHold(this.laneOf(host)!, host, this.deps.clock.now());
  }

  /** An apply run of `host` at `revision` ended: it counts for its wave, which may pass or halt. */
  record(host: string, revision: string, result: Pick<HostResult, 'outcome' | 'error'>): void {
    const lane = this.laneOf(host);
    if (!lane || lane.revision !== revision) return;
    const outcome: WaveResult = result.outcome === 'applied' || result.outcome === 'in-sync'
      ? { ok: true }
      : { ok: false, reason: `${result.error?.code ?? result.outcome}${result.error?.step ? ` at ${result.error.step}` : ''}` };
    const before = lane;
    const after = recordResult(lane, host, outcome, this.deps.clock.now());
    this.lanes.set(lane.lane, after);
    if (after.halted && !before.halted) this.deps.log.warn({ lane: after.lane, revision, reason: after.halted.reason }, `rollout halted: ${after.halted.reason}`);
    if (after.current !== before.current) this.releaseDue(after);
    this.afterChange();
  }

  /** `host` will not run for `revision` (suspended): its wave does not wait for it. */
  leaveWave(host: string, revision: string): void {
    const lane = this.laneOf(host);
    if (!lane || lane.revision !== revision || lane.results[host] !== undefined) return;
    this.record(host, revision, { outcome: 'in-sync' });
  }

  /** Resumes halted rollouts (one lane, or all); E_ROLLOUT_NOT_HALTED when none is halted. */
  resume(lane?: string): RolloutView[] {
    const halted = [...this.lanes.values()].filter((p) => p.halted && (lane === undefined || p.lane === lane));
    if (halted.length === 0) {
      const which = lane === undefined ? 'no rollout is halted' : `rollout "${lane}" is not halted (lanes: ${[...this.lanes.keys()].join(', ') || 'none'})`;
      throw new DroverError('E_ROLLOUT_NOT_HALTED', `${which}; nothing to resume`);
    }
    for (const p of halted) {
      const resumed = resumeRollout(p, this.deps.clock.now());
      this.lanes.set(p.lane, resumed);
      this.deps.log.info({ lane: p.lane, revision: p.revision }, `rollout resumed by hand at wave ${resumed.waves[resumed.current]?.name ?? '(done)'}`);
      this.releaseDue(resumed);
    }
    this.afterChange();
    return this.views();
  }

  /** Every lane's rollout, sorted by lane. */
  views(): RolloutView[] {
    const now = this.deps.clock.now();
    return [...this.lanes.values()].sort((a, b) => (a.lane < b.lane ? -1 : 1)).map((p) => {
      const phase = phaseOf(p, now);
      return {
        lane: p.lane, revision: p.revision, phase, wave: Math.min(p.current + 1, p.waves.length),
        waves: p.waves.map(({ name, hosts, budget }) => ({ name, hosts, budget })),
        ...(p.halted ? { halted: { wave: p.waves[p.halted.wave]?.name ?? '', reason: p.halted.reason, at: p.halted.at } } : {}),
        ...(phase === 'Paused' ? { nextWaveAt: p.releasedAt } : {}),
        held: p.waves.flatMap((w) => w.hosts).filter((h) => !isReleased(p, h, now)).length,
      };
    });
  }

  /** Starts watching for resume requests left in the state dir by `drover rollout resume --state-dir`. */
  start(): void {
    const poll = (): void => {
      const file = join(this.deps.stateDir, RESUME_REQUEST_FILE);
      if (!this.taking && existsSync(file)) {
        this.taking = true;
        void this.takeResumeRequest(file).finally(() => { this.taking = false; });
      }
      if (!this.stopped) this.poll = this.deps.clock.setTimer(RESUME_POLL_MS, poll);
    };
    this.poll = this.deps.clock.setTimer(RESUME_POLL_MS, poll);
  }

  /** Cancels timers and waits for the last state write. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.poll?.cancel();
    for (const t of this.timers) t.cancel();
    this.timers = [];
    await this.saving;
  }

  private async takeResumeRequest(file: string): Promise<void> {
    let lane: string | undefined;
    try {
      lane = (JSON.parse(readFileSync(file, 'utf8')) as { lane?: string }).lane;
    } catch { /* an unreadable request resumes every lane */ }
    try {
      this.resume(lane);
    } catch (err) {
      this.deps.log.warn({ code: (err as DroverError).code }, `rollout resume request ignored: ${(err as Error).message}`);
    }
    // Removed once the resumed state is saved: the CLI reads rollouts.json when the request is gone.
    await this.saving;
    await removeFileDurably(file).catch(() => undefined);
  }

  private laneOf(host: string): RolloutProgress | undefined {
    for (const p of this.lanes.values()) if (waveOf(p, host) !== undefined) return p;
    return undefined;
  }

  /** Queues the hosts of `p`'s current wave, at once or when its pause ends. */
  private releaseDue(p: RolloutProgress): void {
    const wave = p.waves[p.current];
    if (!wave || p.halted) return;
    const release = (): void => {
      const current = this.lanes.get(p.lane);
      if (current?.revision !== p.revision || current.current !== p.current || current.halted) return;
      this.deps.log.info({ lane: p.lane, revision: p.revision, wave: wave.name, hosts: wave.hosts.length }, `rollout: wave ${wave.name} starts`);
      this.deps.release(wave.hosts);
      this.afterChange();
    };
    const wait = p.releasedAt - this.deps.clock.now();
    if (wait <= 0) release();
    else this.timers.push(this.deps.clock.setTimer(wait, release));
  }

  private afterChange(): void {
    const lanes = [...this.lanes.values()];
    this.saving = this.saving.then(() => saveRollouts(this.deps.stateDir, lanes)).catch((err: unknown) => {
      this.deps.log.error({ err }, 'cannot write the rollout state');
    });
    this.deps.changed?.(this.views());
  }
}
