/**
 * What GET /api/v1/events asks of the event log, and the page it answers (pure: no I/O). Pages go
 * oldest first from a cursor (`since`, for following the log) or newest first below one (`before`,
 * for looking back); `next` is the cursor of the following page.
 */
import type { DroverEvent } from './events.js';

/** Largest page. */
export const MAX_LIMIT = 1000;

/** A query of the event log. */
export interface EventQuery {
  /** asc: events with seq > since, oldest first (default). desc: events with seq < before, newest first. */
  order: 'asc' | 'desc';
  since?: number;
  before?: number;
  /** Events about this host (its runs, failures, syncs naming it). */
  host?: string;
  /** Event types: exact (`host.failed`) or a prefix ending in `*` (`host.*`). */
  types?: string[];
  /** At most this many events (1..MAX_LIMIT). */
  limit: number;
}

/** One page of events. */
export interface EventPage {
  events: DroverEvent[];
  /**
   * asc: pass as `since` for the next page; when the page is not full it is the newest seq looked at, so
   * polling with it never rescans. desc: pass as `before` for the next page; null when nothing is older.
   */
  next: number | null;
  /** True when more events matched than the page holds. */
  more: boolean;
}

/** True when `event` is one `query` asks for (cursors aside). */
export function matches(event: DroverEvent, query: Pick<EventQuery, 'host' | 'types'>): boolean {
  if (query.host !== undefined && !aboutHost(event, query.host)) return false;
  if (!query.types?.length) return true;
  return query.types.some((t) => (t.endsWith('*') ? event.type.startsWith(t.slice(0, -1)) : event.type === t));
}

function aboutHost(event: DroverEvent, host: string): boolean {
  if ('host' in event && event.host === host) return true;
  return event.type === 'sync.requested' && event.hosts.includes(host);
}

/** True when an event with `seq` is inside the query's cursor. */
export function inRange(seq: number, query: Pick<EventQuery, 'order' | 'since' | 'before'>): boolean {
  return query.order === 'asc' ? seq > (query.since ?? 0) : seq < (query.before ?? Number.POSITIVE_INFINITY);
}

/**
 * Collects a page: feed it events in the query's order; `add` returns false once the page is full
 * (one more than `limit` was seen, so `more` is known).
 */
export class PageBuilder {
  private readonly found: DroverEvent[] = [];

  constructor(private readonly query: EventQuery) {}

  /** Offers one event (in order); false when the page needs no more. */
  add(event: DroverEvent): boolean {
    if (!inRange(event.seq, this.query)) return true;
    if (matches(event, this.query)) this.found.push(event);
    return this.found.length <= this.query.limit;
  }

  /** The page; `newestSeq` is the log's newest seq (asc cursors of an exhausted scan move up to it). */
  page(newestSeq: number): EventPage {
    const more = this.found.length > this.query.limit;
    const events = this.found.slice(0, this.query.limit);
    const last = events[events.length - 1];
    if (this.query.order === 'desc') return { events, next: more && last ? last.seq : null, more };
    const next = more && last ? last.seq : Math.max(last?.seq ?? 0, this.query.since ?? 0, newestSeq);
    return { events, next, more };
  }
}
