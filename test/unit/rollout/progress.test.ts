import { describe, expect, it } from 'vitest';
import {
  heldHosts, isReleased, phaseOf, recordResult, resumeRollout, startRollout, type AssignedWave, type RolloutProgress,
} from '../../../controller/rollout/index.js';

const waves: AssignedWave[] = [
  { index: 0, name: 'canary', hosts: ['h01', 'h02'], budget: 0, pauseMs: 60_000 },
  { index: 1, name: 'wave-2', hosts: ['h03', 'h04', 'h05', 'h06'], budget: 1, pauseMs: 0 },
  { index: 2, name: 'rest', hosts: ['h07', 'h08'], budget: 1, pauseMs: 0 },
];
const T0 = Date.parse('2026-11-29T07:00:00Z');
const fail = { ok: false as const, reason: 'E_STEP_FAILED at test_web_http' };

function run(p: RolloutProgress, results: [string, boolean][], now: number): RolloutProgress {
  return results.reduce((s, [h, ok]) => recordResult(s, h, ok ? { ok: true } : fail, now), p);
}

describe('rollout progress', () => {
  it('releases only the first wave, then the next after the pause', () => {
    let p = startRollout({ lane: 'default', revision: 'main@sha1:b', waves, now: T0 });
    expect(heldHosts(p, T0)).toEqual(['h03', 'h04', 'h05', 'h06', 'h07', 'h08']);
    expect(isReleased(p, 'unrelated', T0)).toBe(true);
    p = run(p, [['h01', true], ['h02', true]], T0 + 1000);
    expect(phaseOf(p, T0 + 1000)).toBe('Paused');
    expect(isReleased(p, 'h03', T0 + 60_999)).toBe(false);
    expect(isReleased(p, 'h03', T0 + 61_000)).toBe(true);
    p = run(p, [['h03', true], ['h04', false], ['h05', true], ['h06', true], ['h07', true], ['h08', true]], T0 + 70_000);
    expect(phaseOf(p, T0 + 70_000)).toBe('Completed');
    expect(heldHosts(p, T0 + 70_000)).toEqual([]);
  });

  it('halts when a wave is over budget; later waves stay held until resumed by hand', () => {
    let p = startRollout({ lane: 'default', revision: 'main@sha1:b', waves, now: T0 });
    p = run(p, [['h01', false]], T0);
    expect(p.halted).toBeUndefined();
    p = run(p, [['h02', true]], T0 + 5);
    expect(phaseOf(p, T0 + 5)).toBe('Halted');
    expect(p.halted?.reason).toBe('wave canary (1/3): 1 of 2 hosts failed, budget 0: h01 (E_STEP_FAILED at test_web_http)');
    expect(isReleased(p, 'h01', T0 + 10)).toBe(true);
    expect(heldHosts(p, T0 + 86_400_000)).toEqual(['h03', 'h04', 'h05', 'h06', 'h07', 'h08']);
    p = resumeRollout(p, T0 + 100);
    expect(phaseOf(p, T0 + 100)).toBe('Progressing');
    expect(heldHosts(p, T0 + 100)).toEqual(['h07', 'h08']);
  });

  it('a failure within the budget passes the wave', () => {
    let p = startRollout({ lane: 'default', revision: 'r', waves: waves.slice(1), now: T0 });
    p = run(p, [['h03', false], ['h04', true], ['h05', true], ['h06', true]], T0);
    expect(p.current).toBe(1);
    expect(p.halted).toBeUndefined();
  });
});
