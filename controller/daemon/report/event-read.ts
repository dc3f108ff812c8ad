/**
 * Reading an event log's segments without opening the log (segments.ts): for a process beside the
 * controller (`drover explain --state-dir`), which must not cut torn lines or delete old segments.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { matches, type EventQuery } from './event-query.js';
import type { DroverEvent } from './events.js';
import { readSegment } from './segments.js';

const NAME = /^\d{16}\.jsonl$/;

/** The newest `limit` events of the log in `dir` that `query` asks for, newest first; none when `dir` is missing. */
export async function newestEvents(dir: string, query: Pick<EventQuery, 'host' | 'types'>, limit: number): Promise<DroverEvent[]> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  const out: DroverEvent[] = [];
  for (const name of names.filter((n) => NAME.test(n)).sort().reverse()) {
    const events = await readSegment(join(dir, name));
    for (let i = events.length - 1; i >= 0 && out.length < limit; i--) {
      if (matches(events[i]!, query)) out.push(events[i]!);
    }
    if (out.length >= limit) break;
  }
  return out;
}
