/**
 * The event log under `<stateDir>/events`: every event numbered (`seq`, never reused, going on across
 * restarts) and appended as a JSON line to the newest segment file (segments.ts). Appending is
 * synchronous for the caller (reconciling never waits): lines are written in order by one writer, a
 * few at a time. A segment is closed at 1/8 of a bound and the oldest segments are deleted while the
 * log is over `maxBytes`, `maxEvents` or `maxAge`. A failed write is logged (E_EVENT_LOG) and its events
 * are missing from the log; nothing else stops.
 */
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DroverError } from '../../../manifests/errors.js';
import type { EventLogSettings } from '../../config/types.js';
import type { Logger } from '../log.js';
import { MAX_LIMIT, PageBuilder, type EventPage, type EventQuery } from './event-query.js';
import type { DroverEvent, NewEvent } from './events.js';
import { appendText, expiredSegments, readSegment, scanSegments, segmentLimits, segmentName, type Segment } from './segments.js';

/** What the HTTP API reads. */
export interface EventReader {
  /** One page of events (pending appends included). */
  query(query: EventQuery): Promise<EventPage>;
}

/** Options of EventLog.open. */
export interface EventLogOptions {
  dir: string;
  bounds: EventLogSettings;
  now: () => number;
  log: Logger;
}

/** The event log of one controller (one per state dir: the state lock guards it). */
export class EventLog implements EventReader {
  private pending: DroverEvent[] = [];
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private failing = false;
  private readonly limits: { bytes: number; events: number };

  private constructor(private readonly options: EventLogOptions, private segments: Segment[], private seq: number) {
    this.limits = segmentLimits(options.bounds);
  }

  /** Opens (creating) the log: scans its segments, cuts a torn last line, applies the bounds. */
  static async open(options: EventLogOptions): Promise<EventLog> {
    try {
      await mkdir(options.dir, { recursive: true, mode: 0o700 });
      const { segments, repaired } = await scanSegments(options.dir);
      if (repaired.length) options.log.warn({ files: repaired }, 'event log: cut the torn last line a crash left');
      const log = new EventLog(options, segments, segments[segments.length - 1]?.lastSeq ?? 0);
      await log.applyBounds();
      return log;
    } catch (err) {
      throw new DroverError('E_EVENT_LOG', `cannot open the event log in ${options.dir}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The newest seq given out (0 for an empty log). */
  newestSeq(): number {
    return this.seq;
  }

  /** Numbers `event`, stamps it with the time and queues it for writing; returns it as kept. */
  append(event: NewEvent): DroverEvent {
    const kept = { ...event, seq: ++this.seq, at: this.options.now() } as DroverEvent;
    this.pending.push(kept);
    if (!this.scheduled) {
      this.scheduled = true;
      this.writing = this.writing.then(() => this.writePending());
    }
    return kept;
  }

  /** Resolves once every event appended so far is written (or its write failed). */
  flush(): Promise<void> {
    return this.writing;
  }

  async query(query: EventQuery): Promise<EventPage> {
    await this.flush();
    const q = { ...query, limit: Math.min(Math.max(1, query.limit), MAX_LIMIT) };
    const page = new PageBuilder(q);
    const order = q.order === 'asc'
      ? this.segments.filter((s) => s.lastSeq > (q.since ?? 0))
      : [...this.segments].reverse().filter((s) => s.firstSeq < (q.before ?? Number.POSITIVE_INFINITY));
    try {
      for (const segment of order) {
        const events = await readSegment(segment.file);
        if (q.order === 'desc') events.reverse();
        if (!events.every((e) => page.add(e))) break;
      }
    } catch (err) {
      throw new DroverError('E_EVENT_LOG', `cannot read the event log: ${(err as Error).message}`, { cause: err });
    }
    return page.page(this.seq);
  }

  /** Writes what is pending and stops. */
  async close(): Promise<void> {
    await this.flush();
  }

  private async writePending(): Promise<void> {
    this.scheduled = false;
    const events = this.pending;
    this.pending = [];
    try {
      const before = this.segments.length;
      const chunks = this.chunks(events);
      const rotated = this.segments.length > before;
      for (const chunk of chunks) {
        const bytes = await appendText(chunk.segment.file, chunk.text);
        Object.assign(chunk.segment, { bytes: chunk.segment.bytes + bytes, count: chunk.segment.count + chunk.count, lastSeq: chunk.lastSeq, lastAt: chunk.lastAt });
      }
      if (rotated || this.oldestExpired()) await this.applyBounds();
      if (this.failing) this.options.log.info('event log: writes succeed again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) {
        const error = new DroverError('E_EVENT_LOG', `cannot write the event log: ${(err as Error).message}; ${events.length} events are missing from it`, { cause: err });
        this.options.log.error({ code: error.code }, error.message);
      }
      this.failing = true;
    }
  }

  /** `events` split by the segment they go to, a new segment started when the newest is full. */
  private chunks(events: DroverEvent[]): { segment: Segment; text: string; count: number; lastSeq: number; lastAt: number }[] {
    const out: ReturnType<EventLog['chunks']> = [];
    let current: (typeof out)[number] | undefined;
    let active = this.segments[this.segments.length - 1];
    let bytes = active?.bytes ?? 0;
    let count = active?.count ?? 0;
    for (const event of events) {
      const line = `${JSON.stringify(event)}\n`;
      if (!active || bytes >= this.limits.bytes || count >= this.limits.events) {
        active = { file: join(this.options.dir, segmentName(event.seq)), firstSeq: event.seq, lastSeq: event.seq - 1, lastAt: 0, bytes: 0, count: 0 };
        this.segments.push(active);
        bytes = 0;
        count = 0;
        current = undefined;
      }
      if (current?.segment !== active) {
        current = { segment: active, text: '', count: 0, lastSeq: 0, lastAt: 0 };
        out.push(current);
      }
      current.text += line;
      current.count++;
      current.lastSeq = event.seq;
      current.lastAt = event.at;
      bytes += Buffer.byteLength(line);
      count++;
    }
    return out;
  }

  private oldestExpired(): boolean {
    const oldest = this.segments[0];
    return this.segments.length > 1 && oldest !== undefined && oldest.lastAt < this.options.now() - this.options.bounds.maxAgeMs;
  }

  private async applyBounds(): Promise<void> {
    for (const segment of expiredSegments(this.segments, this.options.bounds, this.options.now())) {
      await unlink(segment.file).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      this.segments = this.segments.filter((s) => s !== segment);
    }
  }
}
