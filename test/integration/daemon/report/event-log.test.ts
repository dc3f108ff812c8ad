/**
 * The event log on a real filesystem with an injected clock: events are numbered and kept across a
 * reopen (seq goes on), pages follow the log oldest first or look back newest first with host and type
 * filters, a torn last line (a crash mid-write) is cut off, and the bounds (events, bytes, age) delete
 * the oldest segments while the newest stays.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../../controller/daemon/log.js';
import { EventLog } from '../../../../controller/daemon/report/event-log.js';
import type { NewEvent } from '../../../../controller/daemon/report/events.js';
import type { EventLogSettings } from '../../../../controller/config/types.js';
import { ManualClock } from '../../../support/manual-clock.js';

const DAY = 24 * 3600 * 1000;
const lines: string[] = [];
const log = createLogger({ level: 'info', stream: { write: (l: string) => lines.push(l) } });
let dir: string;
let clock: ManualClock;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-event-log-'));
  clock = new ManualClock();
  lines.length = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const open = (bounds: Partial<EventLogSettings> = {}): Promise<EventLog> => EventLog.open({
  dir, bounds: { maxBytes: 128 * 1024 * 1024, maxEvents: 1_000_000, maxAgeMs: 30 * DAY, ...bounds }, now: () => clock.now(), log,
});

const run = (host: string, result = 'applied'): NewEvent => ({
  type: 'run.finished', host, revision: 'main@sha1:abc', runId: `r-${host}`, trigger: 'commit', dryRun: false, result, changedSteps: [], durationMs: 5,
});

describe('the event log', () => {
  it('numbers events, keeps them across a reopen, and seq goes on', async () => {
    const first = await open();
    expect(first.append(run('web1')).seq).toBe(1);
    first.append({ type: 'host.suspended', host: 'web2', actor: 'oncall' });
    await first.close();
    const second = await open();
    expect(second.newestSeq()).toBe(2);
    expect(second.append(run('web3')).seq).toBe(3);
    const page = await second.query({ order: 'asc', limit: 10 });
    expect(page.events.map((e) => [e.seq, e.type, 'host' in e ? e.host : ''])).toEqual([[1, 'run.finished', 'web1'], [2, 'host.suspended', 'web2'], [3, 'run.finished', 'web3']]);
    expect(page).toMatchObject({ next: 3, more: false });
  });

  it('pages oldest first from a cursor and newest first below one, filtered by host and type', async () => {
    const events = await open();
    for (let i = 0; i < 30; i++) events.append(run(`web${i % 3}`, i % 5 === 0 ? 'failed' : 'applied'));
    events.append({ type: 'sync.requested', runId: 's1', hosts: ['web1', 'web9'], hostCount: 2, dryRun: false, trigger: 'manual', actor: 'ci' });
    events.append({ type: 'host.failed', host: 'web1', revision: 'main@sha1:abc', code: 'E_X', message: 'x' });
    const a = await events.query({ order: 'asc', since: 0, host: 'web1', limit: 5 });
    expect(a.events.map((e) => e.seq)).toEqual([2, 5, 8, 11, 14]);
    expect(a).toMatchObject({ next: 14, more: true });
    const b = await events.query({ order: 'asc', since: a.next!, host: 'web1', limit: 100 });
    expect(b.events.map((e) => e.seq)).toEqual([17, 20, 23, 26, 29, 31, 32]);
    // Not full: the cursor moves to the newest seq, so polling with it never rescans.
    expect(b).toMatchObject({ next: 32, more: false });
    expect((await events.query({ order: 'asc', since: 32, limit: 10 }))).toEqual({ events: [], next: 32, more: false });
    const back = await events.query({ order: 'desc', types: ['host.*', 'sync.requested'], limit: 1 });
    expect(back.events.map((e) => e.type)).toEqual(['host.failed']);
    expect(back).toMatchObject({ next: 32, more: true });
    const older = await events.query({ order: 'desc', before: back.next!, types: ['host.*', 'sync.requested'], limit: 10 });
    expect(older.events).toEqual([expect.objectContaining({ type: 'sync.requested', actor: 'ci', seq: 31 })]);
    expect(older).toMatchObject({ next: null, more: false });
  });

  it('cuts the torn last line a crash left and goes on after the last whole one', async () => {
    const first = await open();
    first.append(run('web1'));
    first.append(run('web2'));
    await first.close();
    const [segment] = await readdir(dir);
    await appendFile(join(dir, segment!), '{"seq":3,"at":1,"type":"run.fin');
    const second = await open();
    expect(JSON.parse(lines.find((l) => l.includes('torn'))!)).toMatchObject({ msg: 'event log: cut the torn last line a crash left' });
    expect(second.append(run('web3')).seq).toBe(3);
    expect((await second.query({ order: 'asc', limit: 10 })).events.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('keeps within maxEvents: the oldest segments go, the newest stays', async () => {
    const events = await open({ maxEvents: 100 });
    for (let i = 0; i < 1000; i++) {
      events.append(run(`web${i}`));
      if (i % 50 === 0) await events.flush();
    }
    await events.flush();
    const all = await events.query({ order: 'asc', limit: 1000 });
    // One segment holds 100/8 = 12 events: the log keeps at most maxEvents (and at least maxEvents - 12).
    expect(all.events.length).toBeLessThanOrEqual(100);
    expect(all.events.length).toBeGreaterThanOrEqual(100 - 12);
    expect(all.events[all.events.length - 1]!.seq).toBe(1000);
    expect((await readdir(dir)).length).toBeLessThanOrEqual(9);
  });

  it('keeps within maxBytes', async () => {
    const events = await open({ maxBytes: 1024 * 1024 });
    const message = 'x'.repeat(400);
    for (let i = 0; i < 6000; i++) {
      events.append({ type: 'host.failed', host: 'web1', revision: 'main@sha1:abc', code: 'E_X', message });
      if (i % 500 === 0) await events.flush();
    }
    await events.flush();
    const total = (await Promise.all((await readdir(dir)).map(async (f) => stat(join(dir, f))))).reduce((n, s) => n + s.size, 0);
    expect(total).toBeLessThanOrEqual(1024 * 1024 + 128 * 1024);
    expect(total).toBeGreaterThan(512 * 1024);
  });

  it('drops segments whose newest event is older than maxAge', async () => {
    const events = await open({ maxEvents: 100, maxAgeMs: DAY });
    for (let i = 0; i < 20; i++) events.append(run(`old${i}`));
    await events.flush();
    clock.advance(2 * DAY);
    for (let i = 0; i < 20; i++) events.append(run(`new${i}`));
    await events.flush();
    const kept = (await events.query({ order: 'asc', limit: 1000 })).events.map((e) => ('host' in e ? e.host : ''));
    // Age goes by segment (12 events each here): the first is all old and goes; the second took new
    // events too, so its old ones stay until it ages whole.
    expect(kept.filter((h) => h.startsWith('old'))).toEqual(Array.from({ length: 8 }, (_, i) => `old${12 + i}`));
    expect(kept.filter((h) => h.startsWith('new'))).toHaveLength(20);
  });
});
