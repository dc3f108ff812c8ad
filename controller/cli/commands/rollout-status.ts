import { heldReason, isReleased, phaseOf, waveHold, type WaveHold } from '../../rollout/index.js';
import { loadRollouts } from '../../daemon/rollouts/rollout-store.js';

/**
 * The rollouts of a state directory for `drover hosts --state-dir`: one line per lane (phase, wave,
 * the halt reason), JSON views, and per host the reason it is held on its previous revision.
 */
export function describeRollouts(stateDir: string, now: number): {
  lines: string[];
  views: { lane: string; revision: string; phase: string; wave: string; halted?: string }[];
  held: (host: string) => { held?: string };
  /** What holds `host` in its lane's rollout, structured (blocked-by.ts). */
  hold: (host: string) => WaveHold | undefined;
} {
  const lanes = loadRollouts(stateDir);
  const views = lanes.map((p) => ({
    lane: p.lane, revision: p.revision, phase: phaseOf(p, now),
    wave: `${Math.min(p.current + 1, p.waves.length)}/${p.waves.length} ${p.waves[Math.min(p.current, p.waves.length - 1)]?.name ?? ''}`.trim(),
    ...(p.halted ? { halted: p.halted.reason } : {}),
  }));
  const lines = views.map((v) => `rollout ${v.lane}: ${v.phase}, wave ${v.wave} of ${v.revision}${v.halted ? `: ${v.halted}; resume with drover rollout resume or a new commit` : ''}`);
  const laneOf = (host: string) => lanes.find((p) => p.waves.some((w) => w.hosts.includes(host)));
  const held = (host: string): { held?: string } => {
    const lane = laneOf(host);
    return lane && !isReleased(lane, host, now) ? { held: heldReason(lane, host, now) } : {};
  };
  const hold = (host: string): WaveHold | undefined => {
    const lane = laneOf(host);
    return lane && waveHold(lane, host, now);
  };
  return { lines, views, held, hold };
}
