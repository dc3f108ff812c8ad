/**
 * The queue against its contract under many random interleavings (seeded, so a failure replays):
 * producers add, addAfter, addRateLimited, forget and remove; three workers get and finish items in
 * random order; the clock moves. Checked after every step and at the end:
 * - never twice at once: an item is not handed out while a worker holds it;
 * - no phantom runs: between two hand-outs of an item there is a request for it;
 * - nothing lost: every request not followed by `remove` is served by a later hand-out.
 */
import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../../controller/daemon/work/queue.js';
import { ManualClock, seededRandom } from '../../../support/manual-clock.js';

const ITEMS = ['a', 'b', 'c', 'd'];
const WORKERS = 3;

function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function replay(seed: number, steps: number): Promise<void> {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const clock = new ManualClock(0);
  const queue = new WorkQueue({ clock, random, backoff: { baseMs: 10, maxMs: 200 } });
  const held: string[] = [];
  const lastRequest = new Map<string, number>();
  const lastHandout = new Map<string, number>();
  let step = 0;
  let seq = 0; // orders requests and hand-outs, several of which can happen in one step
  let waiting = 0;

  const worker = (): void => {
    waiting++;
    void queue.get().then((item) => {
      waiting--;
      if (item === undefined) return;
      expect(held, `step ${step}: ${item} handed out while held`).not.toContain(item);
      expect(lastRequest.get(item) ?? -1, `step ${step}: ${item} handed out without a request`).toBeGreaterThan(lastHandout.get(item) ?? -1);
      held.push(item);
      lastHandout.set(item, seq++);
    });
  };
  const request = (item: string): void => { lastRequest.set(item, seq++); };

  for (; step < steps; step++) {
    const item = pick(ITEMS);
    switch (pick(['add', 'add', 'addAfter', 'addRateLimited', 'forget', 'remove', 'get', 'get', 'done', 'done', 'advance'] as const)) {
      case 'add': queue.add(item); request(item); break;
      case 'addAfter': queue.addAfter(item, Math.floor(random() * 100)); request(item); break;
      case 'addRateLimited': queue.addRateLimited(item); request(item); break;
      case 'forget': queue.forget(item); break;
      case 'remove': queue.remove(item); lastRequest.delete(item); break;
      case 'get': if (held.length + waiting < WORKERS) worker(); break;
      case 'done': if (held.length > 0) queue.done(held.splice(Math.floor(random() * held.length), 1)[0] as string); break;
      case 'advance': clock.advance(Math.floor(random() * 150)); break;
    }
    await flush();
  }

  // Drain: finish what is held, let every delay pass, and keep workers asking until nothing is left.
  for (let round = 0; round < 100 && (held.length > 0 || queue.counts().waiting > 0 || queue.len() > 0); round++) {
    while (held.length > 0) queue.done(held.pop() as string);
    clock.advance(1000);
    while (held.length + waiting < WORKERS) worker();
    await flush();
  }
  for (const [item, at] of lastRequest) {
    expect(lastHandout.get(item) ?? -1, `${item} requested (event ${at}) never served (seed ${seed})`).toBeGreaterThan(at);
  }
  queue.shutDown();
  await flush();
}

describe('WorkQueue under random interleavings', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`keeps its contract (seed ${seed})`, async () => {
      await replay(seed, 400);
    });
  }
});
