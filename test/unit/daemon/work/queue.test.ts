import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../../controller/daemon/work/queue.js';
import { ManualClock, seededRandom } from '../../../support/manual-clock.js';

function setup(): { clock: ManualClock; queue: WorkQueue } {
  const clock = new ManualClock(0);
  const queue = new WorkQueue({ clock, random: seededRandom(1), backoff: { baseMs: 1000, maxMs: 60_000 } });
  return { clock, queue };
}

/** The promise's value if it has settled by the time pending I/O callbacks run, else 'pending'. */
async function peek<T>(promise: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([promise, new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')))]);
}

describe('WorkQueue', () => {
  it('hands items out in the order they were added', async () => {
    const { queue } = setup();
    for (const host of ['a', 'b', 'c']) queue.add(host);
    expect(queue.len()).toBe(3);
    expect([await queue.get(), await queue.get(), await queue.get()]).toEqual(['a', 'b', 'c']);
    expect(queue.len()).toBe(0);
  });

  it('runs an item added many times before it is handed out once, and counts the coalesced adds', async () => {
    const { queue } = setup();
    queue.add('a');
    queue.add('b');
    queue.add('a');
    queue.add('a');
    expect(queue.len()).toBe(2);
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBe('b');
    expect(await peek(queue.get())).toBe('pending');
    expect(queue.counts()).toMatchObject({ adds: 4, coalescedAdds: 2, queued: 0, processing: 2 });
  });

  it('never hands out an item being processed; added meanwhile, it is handed out right after done', async () => {
    const { queue } = setup();
    queue.add('a');
    expect(await queue.get()).toBe('a');
    queue.add('a');
    queue.add('a');
    const second = queue.get();
    expect(await peek(second)).toBe('pending');
    expect(queue.len()).toBe(0);
    queue.done('a');
    expect(await second).toBe('a');
    queue.done('a');
    expect(queue.counts()).toMatchObject({ adds: 3, coalescedAdds: 1, processing: 0 });
  });

  it('wakes waiting workers oldest first', async () => {
    const { queue } = setup();
    const first = queue.get();
    const second = queue.get();
    queue.add('x');
    expect(await first).toBe('x');
    expect(await peek(second)).toBe('pending');
    queue.add('y');
    expect(await second).toBe('y');
  });

  it('addAfter makes an item due after the delay; an earlier time replaces a later one, a later one is ignored', () => {
    const { clock, queue } = setup();
    queue.addAfter('a', 1000);
    queue.addAfter('a', 5000);
    expect(queue.waitingUntil('a')).toBe(1000);
    queue.addAfter('a', 500);
    expect(queue.waitingUntil('a')).toBe(500);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(499);
    expect(queue.len()).toBe(0);
    clock.advance(1);
    expect(queue.len()).toBe(1);
    expect(queue.waitingUntil('a')).toBeUndefined();
    clock.advance(10_000);
    expect(queue.len()).toBe(1);
    expect(queue.counts()).toMatchObject({ adds: 3, coalescedAdds: 2 });
  });

  it('addAfter of an item already due changes nothing', () => {
    const { clock, queue } = setup();
    queue.add('a');
    queue.addAfter('a', 100);
    expect(queue.waitingUntil('a')).toBeUndefined();
    expect(clock.pendingTimers()).toBe(0);
    expect(queue.counts()).toMatchObject({ adds: 2, coalescedAdds: 1, queued: 1 });
  });

  it('add of an item waiting for its backoff makes it due now and cancels the delay', async () => {
    const { clock, queue } = setup();
    queue.add('a');
    expect(await queue.get()).toBe('a');
    const delay = queue.addRateLimited('a');
    queue.done('a');
    expect(delay).toBeGreaterThan(0);
    expect(queue.len()).toBe(0);
    queue.add('a');
    expect(queue.len()).toBe(1);
    expect(queue.waitingUntil('a')).toBeUndefined();
    expect(clock.pendingTimers()).toBe(0);
    expect(queue.numRequeues('a')).toBe(1);
  });

  it('an item added during a failed run runs right after it, not after the backoff', async () => {
    const { queue } = setup();
    queue.add('a');
    expect(await queue.get()).toBe('a');
    queue.add('a'); // a new revision arrives during the run
    queue.addRateLimited('a'); // the run fails
    queue.done('a');
    expect(queue.len()).toBe(1);
    expect(queue.numRequeues('a')).toBe(1);
  });

  it('addRateLimited backs off exponentially per item until forget', async () => {
    const { clock, queue } = setup();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const delay = queue.addRateLimited('a');
      expect(queue.waitingUntil('a')).toBe(clock.now() + delay);
      clock.advance(delay - 1);
      expect(queue.len()).toBe(0);
      clock.advance(1);
      expect(queue.len()).toBe(1);
      queue.done((await queue.get()) as string);
      delays.push(delay);
    }
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(1000 * 2 ** i / 2);
      expect(delay).toBeLessThan(1000 * 2 ** i);
    });
    expect(queue.addRateLimited('b')).toBeLessThan(1000);
    queue.forget('a');
    expect(queue.numRequeues('a')).toBe(0);
    expect(queue.addRateLimited('a')).toBeLessThan(1000);
  });

  it('remove drops a queued or waiting item and keeps a processing one from coming back', async () => {
    const { clock, queue } = setup();
    queue.add('a');
    queue.addAfter('b', 100);
    queue.add('c');
    expect(await queue.get()).toBe('a');
    queue.add('a');
    queue.remove('a');
    queue.remove('b');
    queue.done('a');
    clock.advance(1000);
    expect(queue.len()).toBe(1);
    expect(await queue.get()).toBe('c');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('shutDown ends waiting and future gets, drops queued and waiting items, ignores adds, and drains', async () => {
    const { clock, queue } = setup();
    queue.add('a');
    queue.add('b');
    queue.addAfter('c', 100);
    expect(await queue.get()).toBe('a');
    const drained = queue.drained();
    queue.shutDown();
    expect(await queue.get()).toBeUndefined();
    expect(queue.len()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
    queue.add('d');
    expect(queue.addRateLimited('d')).toBe(0);
    expect(queue.len()).toBe(0);
    expect(await peek(drained)).toBe('pending');
    queue.done('a');
    expect(await peek(drained)).toBeUndefined();
    await queue.drained();
  });

  it('shutDown resolves workers waiting in get with undefined', async () => {
    const { queue } = setup();
    const waiting = [queue.get(), queue.get()];
    queue.shutDown();
    expect(await Promise.all(waiting)).toEqual([undefined, undefined]);
  });

  it('N workers process at most N items at once, and every item once per add burst', async () => {
    const { queue } = setup();
    const finish = new Map<string, () => void>();
    let inFlight = 0;
    let maxInFlight = 0;
    const processed: string[] = [];
    const worker = async (): Promise<void> => {
      for (let item = await queue.get(); item !== undefined; item = await queue.get()) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise<void>((resolve) => finish.set(item as string, resolve));
        processed.push(item);
        inFlight--;
        queue.done(item);
      }
    };
    const hosts = Array.from({ length: 10 }, (_, i) => `h${i}`);
    for (const host of [...hosts, ...hosts]) queue.add(host);
    const workers = [worker(), worker(), worker()];
    while (processed.length < hosts.length) {
      await peek(Promise.resolve());
      for (const [item, resolve] of finish) {
        finish.delete(item);
        resolve();
      }
    }
    queue.shutDown();
    await Promise.all(workers);
    expect(maxInFlight).toBe(3);
    expect(processed.sort()).toEqual([...hosts].sort());
    expect(queue.counts()).toMatchObject({ adds: 20, coalescedAdds: 10 });
  });
});
