/**
 * A persisted, bounded delivery queue for one target (the forge, or one notification target): each
 * entry is a file `<dir>/<id>.json` written atomically before it is sent and removed once delivered, so
 * nothing is lost across a restart or an outage of the receiver. Entries go out one at a time, oldest
 * first; a failed attempt is retried after a backoff (delivery.ts) on the injected clock, an entry the
 * receiver refuses for good is dropped and logged, and past `maxItems` the oldest waiting entry is
 * dropped. Pushing never waits: reconciling does not depend on any receiver. Payloads hold no credential.
 */
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DroverError } from '../../../manifests/errors.js';
import { removeFileDurably, TEMP_FILE, writeFileAtomic } from '../../source/atomic-file.js';
import type { Clock, Random, Timer } from '../clock.js';
import type { Logger } from '../log.js';
import { retryDelay, type Delivery } from './delivery.js';

/** What each attempt came to, for drover_commit_status_total / drover_notifications_total. */
export type DeliveryResult = 'success' | 'failure' | 'dropped';

/** Options of Outbox.open. */
export interface OutboxOptions<P> {
  dir: string;
  /** Who the entries are for, in log lines (never a URL). */
  target: string;
  clock: Clock;
  random: Random;
  log: Logger;
  maxItems: number;
  deliver: (payload: P) => Promise<Delivery>;
  onResult?: (result: DeliveryResult) => void;
}

interface Item<P> {
  id: number;
  createdAt: number;
  payload: P;
  saved: Promise<void>;
}

const NAME = /^(\d{12})\.json$/;

/** The queue of one target. */
export class Outbox<P> {
  private readonly items: Item<P>[] = [];
  private timer: Timer | undefined;
  private attempt: Promise<void> | undefined;
  private attempts = 0;
  private started = false;
  private stopped = false;
  private writes = new Set<Promise<void>>();

  private constructor(private readonly o: OutboxOptions<P>, private nextId: number) {}

  /** Opens the queue in `options.dir`, loading what an earlier process left undelivered. */
  static async open<P>(options: OutboxOptions<P>): Promise<Outbox<P>> {
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    const loaded: Item<P>[] = [];
    for (const name of (await readdir(options.dir)).sort()) {
      const file = join(options.dir, name);
      const m = NAME.exec(name);
      const entry = m ? await readFile(file, 'utf8').then((t) => JSON.parse(t) as { createdAt: number; payload: P }).catch(() => undefined) : undefined;
      if (m && entry) loaded.push({ id: Number(m[1]), createdAt: entry.createdAt, payload: entry.payload, saved: Promise.resolve() });
      else if (m || TEMP_FILE.test(name)) {
        options.log.warn({ target: options.target, file }, 'delivery queue: removed an unreadable entry');
        await removeFileDurably(file);
      }
    }
    const outbox = new Outbox<P>(options, (loaded[loaded.length - 1]?.id ?? 0) + 1);
    outbox.items.push(...loaded);
    if (loaded.length) options.log.info({ target: options.target, entries: loaded.length }, 'delivery queue: entries left undelivered by the last run are sent again');
    return outbox;
  }

  /** Entries waiting (the one in flight included). */
  size(): number {
    return this.items.length;
  }

  /**
   * Queues `payload` and sends it when its turn comes; never waits. The promise resolves once the entry
   * is on disk (or its write failed and was logged: it is still sent).
   */
  push(payload: P): Promise<void> {
    const item: Item<P> = { id: this.nextId++, createdAt: this.o.clock.now(), payload, saved: Promise.resolve() };
    item.saved = this.track(writeFileAtomic(this.fileOf(item), JSON.stringify({ createdAt: item.createdAt, payload })));
    this.items.push(item);
    if (this.items.length > this.o.maxItems) this.dropOldest();
    if (this.attempts === 0) this.pump(0);
    return item.saved;
  }

  /** Starts sending (entries loaded at open, and those pushed since). */
  start(): void {
    this.started = true;
    this.pump(0);
  }

  /** Stops sending: no new attempt; waits for the one in flight and for the files being written. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.attempt;
    await Promise.all([...this.writes]);
  }

  private pump(delayMs: number): void {
    if (!this.started || this.stopped || this.timer || this.attempt || this.items.length === 0) return;
    this.timer = this.o.clock.setTimer(delayMs, () => {
      this.timer = undefined;
      this.attempt = this.sendHead().then((next) => {
        this.attempt = undefined;
        this.pump(next);
      });
    });
  }

  /** One attempt at the oldest entry; resolves with the delay before the next attempt. */
  private async sendHead(): Promise<number> {
    const item = this.items[0];
    if (!item) return 0;
    // On disk before it is sent: a controller killed mid-attempt sends it again when it starts.
    await item.saved;
    const result = await this.o.deliver(item.payload);
    if (result.outcome === 'retry') {
      this.attempts++;
      const delay = retryDelay(this.attempts, result.retryAfterMs, this.o.random);
      const error = new DroverError('E_DELIVERY_FAILED', `${this.o.target}: delivery failed (${result.reason}); attempt ${this.attempts}, retried in ${Math.round(delay / 1000)} s`);
      this.o.log.warn({ target: this.o.target, code: error.code, attempts: this.attempts, queued: this.items.length }, error.message);
      this.result('failure');
      return delay;
    }
    if (result.outcome === 'refused') {
      const error = new DroverError('E_DELIVERY_REFUSED', `${this.o.target}: the receiver refused an entry for good (${result.reason}); it is dropped`);
      this.o.log.error({ target: this.o.target, code: error.code }, error.message);
    } else if (this.attempts > 0) this.o.log.info({ target: this.o.target, queued: this.items.length - 1 }, `${this.o.target}: delivered again after ${this.attempts} failed attempts`);
    this.attempts = 0;
    this.remove(item);
    this.result(result.outcome === 'delivered' ? 'success' : 'dropped');
    return 0;
  }

  private dropOldest(): void {
    const victim = this.items[this.attempt ? 1 : 0];
    if (!victim) return;
    this.remove(victim);
    const error = new DroverError('E_OUTBOX_FULL', `${this.o.target}: more than ${this.o.maxItems} entries wait for delivery; the oldest is dropped`);
    this.o.log.error({ target: this.o.target, code: error.code }, error.message);
    this.result('dropped');
  }

  private result(result: DeliveryResult): void {
    try {
      this.o.onResult?.(result);
    } catch (err) {
      this.o.log.error({ err, target: this.o.target }, 'delivery queue: counting a result failed (a bug)');
    }
  }

  private remove(item: Item<P>): void {
    const at = this.items.indexOf(item);
    if (at >= 0) this.items.splice(at, 1);
    this.track(item.saved.then(() => removeFileDurably(this.fileOf(item))));
  }

  private track(write: Promise<void>): Promise<void> {
    const tracked = write.catch((err: unknown) => {
      this.o.log.error({ target: this.o.target, err: (err as Error).message }, 'delivery queue: cannot write its entry to disk (it is still sent)');
    });
    this.writes.add(tracked);
    void tracked.finally(() => this.writes.delete(tracked));
    return tracked;
  }

  private fileOf(item: Item<P>): string {
    return join(this.o.dir, `${String(item.id).padStart(12, '0')}.json`);
  }
}
