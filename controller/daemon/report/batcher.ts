/**
 * Batching of notifications per revision, on an injected clock: the first event of a revision opens its
 * batch, which is sent `windowMs` later with every event of that revision that came meanwhile; the
 * revision's verdict (`revision.finished`, or `revision.rejected`) sends it at once. So a commit that
 * changes a thousand hosts sends a handful of messages, not a thousand. Events without a revision
 * (suspend, resume) batch together under no revision.
 */
import type { Clock, Timer } from '../clock.js';
import type { DroverEvent } from './events.js';

/** A batch ready to send. */
export interface Batch {
  revision: string | undefined;
  events: DroverEvent[];
}

/** Collects events into batches and hands each to `send` when it is due. */
export class Batcher {
  private readonly open = new Map<string, { events: DroverEvent[]; timer: Timer }>();

  constructor(private readonly options: { windowMs: number; clock: Clock; send: (batch: Batch) => void }) {}

  /** Adds `event` to its revision's batch (opening one); a verdict sends the batch now. */
  add(event: DroverEvent): void {
    const key = 'revision' in event ? event.revision : '';
    let batch = this.open.get(key);
    if (!batch) {
      const timer = this.options.clock.setTimer(this.options.windowMs, () => this.send(key));
      batch = { events: [], timer };
      this.open.set(key, batch);
    }
    batch.events.push(event);
    if (event.type === 'revision.finished' || event.type === 'revision.rejected') this.send(key);
  }

  /** Sends every open batch now (at shutdown: they go to the persisted queue rather than being lost). */
  flushAll(): void {
    for (const key of [...this.open.keys()]) this.send(key);
  }

  /** Batches open now. */
  openCount(): number {
    return this.open.size;
  }

  private send(key: string): void {
    const batch = this.open.get(key);
    if (!batch) return;
    this.open.delete(key);
    batch.timer.cancel();
    this.options.send({ revision: key === '' ? undefined : key, events: batch.events });
  }
}
