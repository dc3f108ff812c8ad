/**
 * One lane's rollout of one revision as a small state machine (pure: state in, state out; time is an
 * argument). Waves run in order; a wave passes when each of its hosts has a result and the failures
 * are within its budget; the next wave is released after the passed wave's pause. Over budget, the
 * rollout halts: later waves are never released until it is resumed (by hand) or replaced (new revision).
 */
import type { AssignedWave } from './waves.js';

/** A host's outcome in its wave: converged and its checks passed, or not (with a one-line reason). */
export type WaveResult = { ok: true } | { ok: false; reason: string };

/** A rollout's state; JSON-serialisable (the daemon stores it). */
export interface RolloutProgress {
  lane: string;
  revision: string;
  waves: AssignedWave[];
  /** Index of the wave being rolled out (= waves.length when done). */
  current: number;
  /** The current wave's hosts may start at this time (a pause after the previous wave). */
  releasedAt: number;
  results: Record<string, WaveResult>;
  halted?: { wave: number; reason: string; at: number };
  /** Set when a halt was overridden by hand. */
  resumedAt?: number;
}

/** The phase a rollout is in, for status and metrics. */
export type RolloutPhase = 'Progressing' | 'Paused' | 'Halted' | 'Completed';

/** A new rollout at its first wave, released now. */
export function startRollout(args: { lane: string; revision: string; waves: AssignedWave[]; now: number }): RolloutProgress {
  return { lane: args.lane, revision: args.revision, waves: args.waves, current: 0, releasedAt: args.now, results: {} };
}

/** The wave index of `host`, or undefined when the rollout does not cover it. */
export function waveOf(p: RolloutProgress, host: string): number | undefined {
  const i = p.waves.findIndex((w) => w.hosts.includes(host));
  return i < 0 ? undefined : i;
}

/**
 * Whether `host` may get the rollout's revision at `now`: hosts outside the rollout and hosts of earlier
 * or the current (released, not halted on an earlier wave) wave may; later waves wait.
 */
export function isReleased(p: RolloutProgress, host: string, now: number): boolean {
  const wave = waveOf(p, host);
  if (wave === undefined || wave < p.current) return true;
  if (p.halted) return wave <= p.halted.wave;
  return wave === p.current && now >= p.releasedAt;
}

/** Records a host's result; when its wave is complete, judges the wave (passes, halts). */
export function recordResult(p: RolloutProgress, host: string, result: WaveResult, now: number): RolloutProgress {
  const wave = waveOf(p, host);
  if (wave === undefined) return p;
  const next: RolloutProgress = { ...p, results: { ...p.results, [host]: result } };
  return wave === p.current && !p.halted ? judge(next, now) : next;
}

/** Moves past complete waves within budget, or halts on the first over budget. */
export function judge(p: RolloutProgress, now: number): RolloutProgress {
  let state = p;
  while (state.current < state.waves.length && !state.halted) {
    const wave = state.waves[state.current]!;
    if (!wave.hosts.every((h) => state.results[h] !== undefined)) return state;
    const failed = wave.hosts.filter((h) => state.results[h]?.ok === false);
    if (failed.length > wave.budget) return { ...state, halted: { wave: state.current, reason: haltReason(state, failed), at: now } };
    state = { ...state, current: state.current + 1, releasedAt: now + wave.pauseMs };
  }
  return state;
}

/** Resumes a halted rollout by hand: the halted wave counts as passed, the next one is released now. */
export function resumeRollout(p: RolloutProgress, now: number): RolloutProgress {
  if (!p.halted) return p;
  const { halted, ...rest } = p;
  return { ...rest, current: halted.wave + 1, releasedAt: now, resumedAt: now };
}

/** The rollout's phase at `now`. */
export function phaseOf(p: RolloutProgress, now: number): RolloutPhase {
  if (p.halted) return 'Halted';
  if (p.current >= p.waves.length) return 'Completed';
  return now < p.releasedAt ? 'Paused' : 'Progressing';
}

/** Hosts of waves not released at `now` (they stay on their previous revision). */
export function heldHosts(p: RolloutProgress, now: number): string[] {
  return p.waves.flatMap((w) => w.hosts).filter((h) => !isReleased(p, h, now));
}

/** Why a held host waits, for its status reason. */
export function heldReason(p: RolloutProgress, host: string, now: number): string {
  const wave = p.waves[waveOf(p, host) ?? 0];
  if (p.halted) return `RolloutHalted: ${p.halted.reason}; ${host} (wave ${wave?.name}) stays on its previous revision until a new commit or drover rollout resume`;
  if (now < p.releasedAt && waveOf(p, host) === p.current) return `RolloutPaused: wave ${wave?.name} starts at ${new Date(p.releasedAt).toISOString()}`;
  return `WaitingForWave: ${host} is in wave ${wave?.name}; wave ${p.waves[p.current]?.name ?? '(done)'} is rolling out ${p.revision}`;
}

/** What keeps `host` back in its lane's rollout (blocked-by.ts), structured; undefined once its wave is released. */
export interface WaveHold {
  kind: 'wave'; reason: string; lane: string; revision: string; phase: RolloutPhase;
  /** The host's wave and the wave rolling out (1-based), that wave's hosts without a result, when a pause ends. */
  wave: number; waveName: string; current: number; running: number; releasedAt?: number;
}

/** `host`'s hold in rollout `p` at `now`, with heldReason's one-line reason; undefined when released. */
export function waveHold(p: RolloutProgress, host: string, now: number): WaveHold | undefined {
  if (isReleased(p, host, now)) return undefined;
  const current = p.waves[p.current];
  const running = current ? current.hosts.filter((h) => p.results[h] === undefined).length : 0;
  const wave = waveOf(p, host) ?? 0;
  return {
    kind: 'wave', reason: heldReason(p, host, now), lane: p.lane, revision: p.revision, phase: phaseOf(p, now),
    wave: wave + 1, waveName: p.waves[wave]?.name ?? '', current: p.current + 1, running,
    ...(now < p.releasedAt ? { releasedAt: p.releasedAt } : {}),
  };
}

function haltReason(p: RolloutProgress, failed: string[]): string {
  const wave = p.waves[p.current]!;
  const detail = failed.slice(0, 3).map((h) => {
    const r = p.results[h];
    return `${h} (${r && !r.ok ? r.reason : 'failed'})`;
  }).join('; ');
  return `wave ${wave.name} (${wave.index + 1}/${p.waves.length}): ${failed.length} of ${wave.hosts.length} hosts failed, budget ${wave.budget}: ${detail}${failed.length > 3 ? `; and ${failed.length - 3} more` : ''}`;
}
