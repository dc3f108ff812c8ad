/**
 * Batching per revision on a manual clock: a window from the first event, a verdict sends at once,
 * events of no revision batch together, and a thousand host events make one message.
 */
import { describe, expect, it } from 'vitest';
import { Batcher, type Batch } from '../../../../controller/daemon/report/batcher.js';
import type { DroverEvent } from '../../../../controller/daemon/report/events.js';
import { ManualClock } from '../../../support/manual-clock.js';

const failed = (host: string, revision: string, seq: number): DroverEvent => ({ type: 'host.failed', host, revision, code: 'E_X', message: 'x', seq, at: 0 });

function setup(): { clock: ManualClock; sent: Batch[]; batcher: Batcher } {
  const clock = new ManualClock();
  const sent: Batch[] = [];
  return { clock, sent, batcher: new Batcher({ windowMs: 5000, clock, send: (b) => sent.push(b) }) };
}

describe('Batcher', () => {
  it('sends a revision\'s events once its window from the first event ends', () => {
    const { clock, sent, batcher } = setup();
    for (let i = 0; i < 1000; i++) {
      batcher.add(failed(`web${i}`, 'r1', i));
      clock.advance(4);
    }
    expect(sent).toHaveLength(0);
    clock.advance(999);
    expect(sent).toHaveLength(0);
    clock.advance(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.events).toHaveLength(1000);
    expect(sent[0]!.revision).toBe('r1');
    expect(batcher.openCount()).toBe(0);
  });

  it('a verdict sends its batch at once; other revisions and no-revision events keep their own', () => {
    const { clock, sent, batcher } = setup();
    batcher.add(failed('web1', 'r1', 1));
    batcher.add(failed('web2', 'r2', 2));
    batcher.add({ type: 'host.suspended', host: 'web3', seq: 3, at: 0 });
    batcher.add({ type: 'revision.finished', revision: 'r1', commit: 'c', state: 'failure', description: 'd', counts: { total: 1, synced: 0, failed: 1, rolledBack: 0, unreachable: 0, halted: 0, blocked: 0, suspended: 0, pending: 0 }, failedHosts: ['web1'], seq: 4, at: 0 });
    expect(sent.map((b) => [b.revision, b.events.map((e) => e.seq)])).toEqual([['r1', [1, 4]]]);
    clock.advance(5000);
    expect(sent.map((b) => [b.revision, b.events.map((e) => e.seq)])).toEqual([['r1', [1, 4]], ['r2', [2]], [undefined, [3]]]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('flushAll sends every open batch (at shutdown)', () => {
    const { clock, sent, batcher } = setup();
    batcher.add(failed('web1', 'r1', 1));
    batcher.flushAll();
    expect(sent).toHaveLength(1);
    expect(clock.pendingTimers()).toBe(0);
  });
});
