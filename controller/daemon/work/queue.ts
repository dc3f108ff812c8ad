/**
 * The per-host work queue, after client-go's util/workqueue (doc.go): items are host names, and the
 * queue is
 * - fair: items are handed out in the order they became due;
 * - stingy: an item added many times before it is handed out runs once (the `dirty` set), and an item
 *   is never handed out while it is being processed (the `processing` set); added while processing, it
 *   is handed out again right after `done`;
 * - delaying and rate limiting: `addAfter` serves intervals, `addRateLimited` per-item exponential
 *   backoff that `forget` resets.
 * Unlike client-go, `add` (and an earlier `addAfter`) of an item waiting for its delay makes it due at
 * once: a newer revision or a manual trigger is never stuck behind an old backoff. And `shutDown` drops
 * what is queued (no new runs; the work is level-based, so a restart re-derives it).
 *
 * The queue does not run anything. The global concurrency limit is the number of workers calling
 * `get()` in a loop: N workers, at most N items processing at once. A worker:
 *
 *   for (let host = await queue.get(); host !== undefined; host = await queue.get()) {
 *     try {
 *       if (await runHost(host)) queue.forget(host); else queue.addRateLimited(host);
 *     } finally {
 *       queue.done(host);
 *     }
 *   }
 */
import type { Clock, Random, Timer } from '../clock.js';
import { nextDelay } from './backoff.js';

/** What the queue needs from the world. */
export interface WorkQueueOptions {
  clock: Clock;
  random: Random;
  /** Per-item exponential backoff of `addRateLimited` (see backoff.ts). */
  backoff: { baseMs: number; maxMs: number };
}

/** Counters and gauges for metrics. `adds - coalescedAdds` is the number of runs the adds caused. */
export interface QueueCounts {
  /** Every add, addAfter and addRateLimited accepted (before shutDown). */
  adds: number;
  /** Adds merged into a run already pending (queued, due after `done`, or waiting for a delay). */
  coalescedAdds: number;
  /** Due and waiting for a worker: `len()`. */
  queued: number;
  processing: number;
  /** Waiting for an `addAfter` / backoff delay. */
  waiting: number;
}

/** The stingy, fair, delaying per-host queue. Safe to use from any number of producers and workers. */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly waiting = new Map<string, { dueAt: number; timer: Timer }>();
  private readonly failures = new Map<string, number>();
  private getters: ((item: string | undefined) => void)[] = [];
  private drainWaiters: (() => void)[] = [];
  private shuttingDown = false;
  private addCount = 0;
  private coalescedCount = 0;

  constructor(private readonly options: WorkQueueOptions) {}

  /** Makes `item` due now (cancelling any delay it waits for). Ignored after shutDown. */
  add(item: string): void {
    if (this.shuttingDown) return;
    this.addCount++;
    if (this.cancelWaiting(item)) this.coalescedCount++;
    if (!this.enqueue(item)) this.coalescedCount++;
  }

  /**
   * Makes `item` due in `ms` (now when `ms` <= 0). No effect when it is already due, or already waiting
   * for an earlier time; an earlier time replaces a later one. Ignored after shutDown.
   */
  addAfter(item: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(item);
    this.addCount++;
    const dueAt = this.options.clock.now() + ms;
    const existing = this.waiting.get(item);
    if (this.dirty.has(item) || (existing && existing.dueAt <= dueAt)) {
      this.coalescedCount++;
      return;
    }
    if (existing && this.cancelWaiting(item)) this.coalescedCount++;
    const timer = this.options.clock.setTimer(ms, () => {
      this.waiting.delete(item);
      if (!this.enqueue(item)) this.coalescedCount++;
    });
    this.waiting.set(item, { dueAt, timer });
  }

  /**
   * Counts one more failure of `item` and adds it after its backoff delay (see backoff.ts: exponential,
   * jittered, capped). Returns the delay in ms (0 after shutDown). Call `forget` when it succeeds.
   */
  addRateLimited(item: string): number {
    if (this.shuttingDown) return 0;
    const failures = (this.failures.get(item) ?? 0) + 1;
    this.failures.set(item, failures);
    const delay = nextDelay(failures, { ...this.options.backoff, random: this.options.random });
    this.addAfter(item, delay);
    return delay;
  }

  /** Resets the failure count of `item` (its next backoff starts from the base again). */
  forget(item: string): void {
    this.failures.delete(item);
  }

  /** Failures counted by `addRateLimited` since the last `forget`. */
  numRequeues(item: string): number {
    return this.failures.get(item) ?? 0;
  }

  /** When `item` becomes due if it waits for a delay, epoch ms; undefined otherwise. */
  waitingUntil(item: string): number | undefined {
    return this.waiting.get(item)?.dueAt;
  }

  /**
   * Drops every trace of `item` (a host that left the inventory): queued, waiting, failures. If it is
   * being processed, that run finishes but `done` does not hand it out again.
   */
  remove(item: string): void {
    this.cancelWaiting(item);
    this.failures.delete(item);
    if (!this.dirty.delete(item)) return;
    const index = this.queue.indexOf(item);
    if (index >= 0) this.queue.splice(index, 1);
  }

  /**
   * The next due item, marked as processing until `done(item)`; waits while none is due. Resolves
   * undefined once shutDown was called (the worker should exit).
   */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const item = this.queue.shift();
    if (item !== undefined) return Promise.resolve(this.take(item));
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Ends processing of `item`; if it was added meanwhile it becomes due again now. */
  done(item: string): void {
    if (!this.processing.delete(item)) return;
    if (this.dirty.has(item)) {
      this.queue.push(item);
      this.dispatch();
    }
    this.settleDrain();
  }

  /**
   * Stops the queue: pending and future `get()` calls resolve undefined, queued and waiting items are
   * dropped, later adds are ignored. Items being processed stay so until `done`; see `drained`.
   */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) timer.cancel();
    this.waiting.clear();
    this.queue.length = 0;
    this.dirty.clear();
    const getters = this.getters;
    this.getters = [];
    for (const resolve of getters) resolve(undefined);
    this.settleDrain();
  }

  /** Resolves once shutDown was called and every handed-out item is done (graceful shutdown). */
  drained(): Promise<void> {
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
      this.settleDrain();
    });
  }

  /** Whether shutDown was called. */
  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Number of items due and waiting for a worker (the `queue_depth` gauge). */
  len(): number {
    return this.queue.length;
  }

  /** Counters and gauges for metrics. */
  counts(): QueueCounts {
    return {
      adds: this.addCount, coalescedAdds: this.coalescedCount,
      queued: this.queue.length, processing: this.processing.size, waiting: this.waiting.size,
    };
  }

  /** Marks `item` dirty and queues it unless it is processing; false when it was already dirty. */
  private enqueue(item: string): boolean {
    if (this.dirty.has(item)) return false;
    this.dirty.add(item);
    if (!this.processing.has(item)) {
      this.queue.push(item);
      this.dispatch();
    }
    return true;
  }

  private take(item: string): string {
    this.dirty.delete(item);
    this.processing.add(item);
    return item;
  }

  /** Hands due items to waiting workers, oldest first on both sides. */
  private dispatch(): void {
    while (this.queue.length > 0 && this.getters.length > 0) {
      const resolve = this.getters.shift() as (item: string) => void;
      resolve(this.take(this.queue.shift() as string));
    }
  }

  private cancelWaiting(item: string): boolean {
    const entry = this.waiting.get(item);
    if (!entry) return false;
    entry.timer.cancel();
    this.waiting.delete(item);
    return true;
  }

  private settleDrain(): void {
    if (!this.shuttingDown || this.processing.size > 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
