/**
 * The event log's segment files: `<stateDir>/events/<first seq, 16 digits>.jsonl`, one JSON event per
 * line, appended to and never rewritten. A crash can leave the newest segment with a torn last line
 * (a write cut short): scanSegments cuts it off, so appends go on after the last whole line; a line
 * that does not parse is skipped when read, never fatal.
 */
import { open, readFile, readdir, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventLogSettings } from '../../config/types.js';
import type { DroverEvent } from './events.js';

/** What the log knows of one segment file without keeping its events in memory. */
export interface Segment {
  file: string;
  firstSeq: number;
  /** The newest event's seq (firstSeq - 1 when empty). */
  lastSeq: number;
  /** The newest event's time, epoch ms (0 when empty). */
  lastAt: number;
  bytes: number;
  count: number;
}

const NAME = /^(\d{16})\.jsonl$/;

/** The file name of the segment whose first event is `firstSeq`. */
export function segmentName(firstSeq: number): string {
  return `${String(firstSeq).padStart(16, '0')}.jsonl`;
}

/** Segments of `dir`, oldest first, each with its torn tail (if any) cut off; `repaired` lists those files. */
export async function scanSegments(dir: string): Promise<{ segments: Segment[]; repaired: string[] }> {
  const names = (await readdir(dir)).filter((n) => NAME.test(n)).sort();
  const segments: Segment[] = [];
  const repaired: string[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const buf = await readFile(file);
    const end = buf.lastIndexOf(0x0a) + 1;
    if (end < buf.length) {
      await truncate(file, end);
      repaired.push(file);
    }
    const lines = buf.subarray(0, end).toString('utf8').split('\n').filter(Boolean);
    const last = lastEvent(lines);
    const firstSeq = Number(NAME.exec(name)![1]);
    segments.push({ file, firstSeq, lastSeq: last?.seq ?? firstSeq - 1, lastAt: last?.at ?? 0, bytes: end, count: lines.length });
  }
  return { segments, repaired };
}

function lastEvent(lines: string[]): DroverEvent | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const event = parseLine(lines[i]!);
    if (event) return event;
  }
  return undefined;
}

/** One line as an event; undefined for a line that is not one (skipped by readers). */
export function parseLine(line: string): DroverEvent | undefined {
  try {
    const value = JSON.parse(line) as Partial<DroverEvent>;
    return typeof value.seq === 'number' && typeof value.at === 'number' && typeof value.type === 'string' ? (value as DroverEvent) : undefined;
  } catch {
    return undefined;
  }
}

/** Every event of a segment file, oldest first (unreadable lines skipped; a missing file has none). */
export async function readSegment(file: string): Promise<DroverEvent[]> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  const events: DroverEvent[] = [];
  for (const line of text.split('\n')) {
    const event = line && parseLine(line);
    if (event) events.push(event);
  }
  return events;
}

/** Size limits of one segment: an eighth of each bound, so the log stays within about 1/8 of them. */
export function segmentLimits(bounds: EventLogSettings): { bytes: number; events: number } {
  return { bytes: Math.max(64 * 1024, Math.floor(bounds.maxBytes / 8)), events: Math.max(10, Math.floor(bounds.maxEvents / 8)) };
}

/**
 * The oldest segments to delete so the rest keeps within `bounds` at `now`: while the total is over
 * maxBytes or maxEvents, or the oldest segment's newest event is older than maxAge. The newest segment
 * (the one appended to) always stays, so seq numbers go on across restarts.
 */
export function expiredSegments(segments: readonly Segment[], bounds: EventLogSettings, now: number): Segment[] {
  let bytes = segments.reduce((n, s) => n + s.bytes, 0);
  let count = segments.reduce((n, s) => n + s.count, 0);
  const out: Segment[] = [];
  for (const s of segments.slice(0, -1)) {
    if (bytes <= bounds.maxBytes && count <= bounds.maxEvents && s.lastAt >= now - bounds.maxAgeMs) break;
    out.push(s);
    bytes -= s.bytes;
    count -= s.count;
  }
  return out;
}

/** Appends `text` to `file` (created 0600) and returns the bytes written. */
export async function appendText(file: string, text: string): Promise<number> {
  const handle = await open(file, 'a', 0o600);
  try {
    const data = Buffer.from(text, 'utf8');
    await handle.write(data);
    return data.length;
  } finally {
    await handle.close();
  }
}
