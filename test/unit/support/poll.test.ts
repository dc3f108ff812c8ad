import { describe, expect, expectTypeOf, it } from 'vitest';
import { poll, PollAborted } from '../../support/poll.js';

describe('poll', () => {
  it('resolves with the first answer that is not undefined or false', async () => {
    const answers: (number | false | undefined)[] = [undefined, false, 0, 7];
    const value = await poll('an answer', () => answers.shift(), { everyMs: 1 });
    expect(value).toBe(0);
    expectTypeOf(value).toEqualTypeOf<number>();
  });

  it('resolves a boolean probe with true', async () => {
    let tries = 0;
    const value = await poll('the third try', async () => ++tries === 3, { everyMs: 1 });
    expect([value, tries]).toEqual([true, 3]);
  });

  it('with until, resolves with the first value it accepts (false too)', async () => {
    const answers = [true, true, false];
    expect(await poll('false', () => answers.shift(), { everyMs: 1, until: (v) => v === false })).toBe(false);
  });

  it('fails naming what it waited for', async () => {
    await expect(poll('the moon', () => undefined, { timeoutMs: 30, everyMs: 5 })).rejects.toThrow(/^timed out after 30 ms waiting for the moon$/);
  });

  it('fails naming the last value seen, given until', async () => {
    let n = 0;
    await expect(poll('n to reach 1000', () => ++n, { timeoutMs: 30, everyMs: 5, until: (v) => v >= 1000 }))
      .rejects.toThrow(/^timed out after 30 ms waiting for n to reach 1000; last value: \d+$/);
  });

  it('tries again after an error, and names the last one when time runs out', async () => {
    let n = 0;
    expect(await poll('a third try', () => { if (++n < 3) throw new Error('not yet'); return n; }, { everyMs: 1 })).toBe(3);
    await expect(poll('a server', () => { throw new Error('ECONNREFUSED'); }, { timeoutMs: 30, everyMs: 5 }))
      .rejects.toThrow(/waiting for a server; last error: ECONNREFUSED$/);
  });

  it('ends at once on PollAborted', async () => {
    let tries = 0;
    const aborted = poll('a dead process', () => { tries++; throw new PollAborted('it exited'); }, { timeoutMs: 60_000 });
    await expect(aborted).rejects.toThrow(new PollAborted('it exited'));
    expect(tries).toBe(1);
  });
});
