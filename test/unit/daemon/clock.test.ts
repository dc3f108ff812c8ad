/** The real clock, on real timers (short ones; nothing here waits on wall-clock limits). */
import { describe, expect, it } from 'vitest';
import { systemClock, systemRandom } from '../../../controller/daemon/clock.js';

describe('systemClock', () => {
  it('fires a timer once, not before its delay', async () => {
    const start = systemClock.now();
    const firedAt = await new Promise<number>((resolve) => systemClock.setTimer(20, () => resolve(systemClock.now())));
    expect(firedAt - start).toBeGreaterThanOrEqual(19);
  });

  it('never fires a cancelled timer, and does not fire a delay past setTimeout\'s limit at once', async () => {
    let fired = 0;
    systemClock.setTimer(1, () => fired++).cancel();
    const far = systemClock.setTimer(40 * 24 * 3600 * 1000, () => fired++);
    await new Promise<void>((resolve) => systemClock.setTimer(30, resolve));
    far.cancel();
    expect(fired).toBe(0);
  });
});

describe('systemRandom', () => {
  it('returns numbers in [0, 1)', () => {
    const values = Array.from({ length: 1000 }, () => systemRandom());
    expect(values.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(990);
  });
});
