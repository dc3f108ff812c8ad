/**
 * The delivery queue on a real filesystem with a manual clock: entries are on disk before they are
 * sent and gone once delivered; a failure is retried after a backoff, in order; an entry the receiver
 * refuses for good is dropped; a queue stopped with entries left sends them when reopened; past
 * maxItems the oldest waiting entry is dropped. Each attempt is counted.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../../controller/daemon/log.js';
import type { Delivery } from '../../../../controller/daemon/report/delivery.js';
import { Outbox, type DeliveryResult } from '../../../../controller/daemon/report/outbox.js';
import { ManualClock, seededRandom } from '../../../support/manual-clock.js';
import { poll } from '../../../support/poll.js';

const lines: string[] = [];
const log = createLogger({ level: 'info', stream: { write: (l: string) => lines.push(l) } });
let dir: string;
let clock: ManualClock;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-outbox-'));
  clock = new ManualClock();
  lines.length = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A receiver answering from a script (then always delivered), recording what it was sent. */
function receiver(script: Delivery[] = []): { sent: string[]; deliver: (p: string) => Promise<Delivery> } {
  const sent: string[] = [];
  return { sent, deliver: async (p) => { sent.push(p); return script.shift() ?? { outcome: 'delivered', status: 201 }; } };
}

async function open(deliver: (p: string) => Promise<Delivery>, results: DeliveryResult[], maxItems = 100): Promise<Outbox<string>> {
  return Outbox.open<string>({ dir, target: 'commit statuses (test)', clock, random: seededRandom(1), log, maxItems, deliver, onResult: (r) => results.push(r) });
}

/** Polls `done`, firing the timers due now each time (the queue sets a 0 ms timer between entries). */
const drive = (what: string, done: () => boolean): Promise<true> => poll(what, () => {
  clock.advance(0);
  return done() ? true : undefined;
});

const files = async (): Promise<string[]> => (await readdir(dir)).sort();

describe('Outbox', () => {
  it('sends in order, retries a failure after its backoff, drops a refusal, and removes what was delivered', async () => {
    const r = receiver([{ outcome: 'retry', reason: 'HTTP 503' }, { outcome: 'retry', reason: 'HTTP 503', retryAfterMs: 10_000 }, { outcome: 'delivered', status: 201 }, { outcome: 'refused', reason: 'HTTP 422' }]);
    const results: DeliveryResult[] = [];
    const outbox = await open(r.deliver, results);
    outbox.push('a');
    outbox.push('b');
    outbox.push('c');
    await poll('the three on disk', async () => ((await files()).length === 3 ? true : undefined));
    expect(r.sent).toEqual([]);
    outbox.start();
    clock.advance(0);
    await poll('a first attempt', () => (results.length === 1 ? true : undefined));
    clock.advance(1000);
    await poll('a retry', () => (results.length === 2 ? true : undefined));
    // Retry-After: nothing before 10 s.
    clock.advance(9_999);
    expect(results).toHaveLength(2);
    clock.advance(1);
    await drive('a delivered, b refused, c delivered', () => results.length === 5);
    expect(r.sent).toEqual(['a', 'a', 'a', 'b', 'c']);
    expect(results).toEqual(['failure', 'failure', 'success', 'dropped', 'success']);
    await outbox.stop();
    expect(await files()).toEqual([]);
    expect(lines.some((l) => l.includes('E_DELIVERY_REFUSED'))).toBe(true);
    expect(lines.filter((l) => l.includes('E_DELIVERY_FAILED'))).toHaveLength(2);
  });

  it('what a stopped queue left is sent by the next one, in order', async () => {
    const first = await open(receiver().deliver, []);
    first.push('one');
    first.push('two');
    await first.stop();
    expect(await files()).toEqual(['000000000001.json', '000000000002.json']);
    const r = receiver();
    const results: DeliveryResult[] = [];
    const second = await open(r.deliver, results);
    second.push('three');
    second.start();
    clock.advance(0);
    await drive('all three', () => results.length === 3);
    expect(r.sent).toEqual(['one', 'two', 'three']);
    await second.stop();
    expect(await files()).toEqual([]);
  });

  it('past maxItems drops the oldest waiting entry and says so', async () => {
    const results: DeliveryResult[] = [];
    const outbox = await open(receiver().deliver, results, 3);
    for (const p of ['1', '2', '3', '4', '5']) outbox.push(p);
    expect(outbox.size()).toBe(3);
    expect(results).toEqual(['dropped', 'dropped']);
    await outbox.stop();
    expect(lines.filter((l) => l.includes('E_OUTBOX_FULL'))).toHaveLength(2);
    const r = receiver();
    const again = await open(r.deliver, []);
    again.start();
    clock.advance(0);
    await drive('the kept three', () => r.sent.length === 3);
    expect(r.sent).toEqual(['3', '4', '5']);
    await again.stop();
  });
});
