import { describe, expect, it } from 'vitest';
import { ManualClock, seededRandom } from '../../support/manual-clock.js';

describe('ManualClock', () => {
  it('fires due timers in due-time order, each at its due time, ties in the order set', () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    const note = (name: string) => () => fired.push(`${name}@${clock.now()}`);
    clock.setTimer(300, note('c'));
    clock.setTimer(100, note('a'));
    clock.setTimer(100, note('b'));
    clock.setTimer(500, note('late'));
    clock.advance(300);
    expect(fired).toEqual(['a@1100', 'b@1100', 'c@1300']);
    expect(clock.now()).toBe(1300);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('fires a timer set by a firing timer within the same advance, and not a cancelled one', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.setTimer(10, () => clock.setTimer(10, () => fired.push(clock.now())));
    clock.setTimer(15, () => fired.push(-1)).cancel();
    clock.advance(25);
    expect(fired).toEqual([20]);
    expect(clock.now()).toBe(25);
  });

  it('advanceToNextTimer jumps to the next timer, false when none', () => {
    const clock = new ManualClock(0);
    clock.setTimer(-5, () => undefined);
    expect(clock.nextTimerAt()).toBe(0);
    expect(clock.advanceToNextTimer()).toBe(true);
    expect(clock.advanceToNextTimer()).toBe(false);
  });
});

describe('seededRandom', () => {
  it('repeats for a seed, differs across seeds, stays in [0, 1)', () => {
    const a = Array.from({ length: 100 }, seededRandom(7));
    const b = Array.from({ length: 100 }, seededRandom(7));
    const c = Array.from({ length: 100 }, seededRandom(8));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
