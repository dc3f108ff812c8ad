/**
 * The source loop on a manual clock: a real bare Git remote in a temp dir, the real Git source and
 * state files, time moved by the test. When it fetches (interval plus jitter), a rejected revision
 * judged once until the ref moves, a failed fetch keeping the last good revision, triggers coalesced
 * with a fetch in flight, and a revision handed on again when installing it failed.
 */
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createManifestValidator } from '../../../../manifests/validate.js';
import { createGitSource } from '../../../../controller/source/index.js';
import { createLogger } from '../../../../controller/daemon/log.js';
import { createSourceLoop, type SourceLoop } from '../../../../controller/daemon/revisions/source-loop.js';
import { openStateStore, type StateStore } from '../../../../controller/daemon/state/state.js';
import { createRemote, type GitRemote } from '../../../support/git-remote.js';
import { ManualClock } from '../../../support/manual-clock.js';
import { poll } from '../../../support/poll.js';

const INTERVAL_MS = 60_000;
const JITTER_MS = 10_000;
/** random() = 0.5: every next fetch is due INTERVAL_MS + 5 s after the last one began. */
const NEXT_MS = INTERVAL_MS + JITTER_MS / 2;

const good = (text: string): Record<string, string> => ({
  'hosts/web1.yaml': stringify({ address: '192.0.2.10', resources: [{ kind: 'file', path: '/etc/motd', content: text }] }),
});
const bad = { 'hosts/web1.yaml': 'address: 192.0.2.10\nprot: 22\n' };

let dir: string;
let remote: GitRemote;
let store: StateStore;
let clock: ManualClock;
let loop: SourceLoop;
let fetches: { ok: boolean; atMs: number; revision?: string; code?: string }[];
let judged: [string, boolean][];
let accepted: string[];
let logLines: { msg: string; level: number }[];
let failInstall: boolean;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-source-loop-'));
  remote = await createRemote();
  clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  ({ store } = await openStateStore(join(dir, 'state'), { now: () => clock.now() }));
  fetches = [];
  judged = [];
  accepted = [];
  logLines = [];
  failInstall = false;
  const log = createLogger({ level: 'info', pretty: false, stream: { write: (line: string) => logLines.push(JSON.parse(line) as { msg: string; level: number }) } });
  const source = createGitSource({ spec: { url: remote.bare, ref: { branch: 'main' }, timeoutMs: 30_000, allowNonFastForward: false, verifySignatures: false }, workDir: join(dir, 'source'), clock });
  loop = createSourceLoop({
    source, store, clock, random: () => 0.5, log, intervalMs: INTERVAL_MS, jitterMs: JITTER_MS, validator: createManifestValidator(),
    events: { fetched: (f) => fetches.push(f), revisionJudged: (r, ok) => judged.push([r, ok]) },
    onAccepted: async (gate) => {
      if (failInstall) throw new Error('state write failed');
      accepted.push(gate.revision.commit);
    },
  });
});

afterEach(async () => {
  await loop.stop();
  await store.flush();
  await remote.cleanup();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Waits until `n` fetches have ended: each reports once (ok or not) when fetched, and the loop sets its
 * timer again (the clock's only one) once the revision is judged and handed on.
 */
const fetchesDone = (n: number): Promise<unknown> =>
  poll(`${n} fetches`, () => (fetches.length >= n && clock.pendingTimers() === 1 ? true : undefined));

describe('the source loop', () => {
  it('fetches at start, then once per interval plus jitter, and hands each new revision on once', async () => {
    const first = await remote.commit(good('one\n'), 'first');
    const started = clock.now();
    loop.start();
    await fetchesDone(1);
    expect(accepted).toEqual([first]);
    expect(store.controller()).toMatchObject({ newestRevision: `main@sha1:${first}`, lastGoodRevision: `main@sha1:${first}`, lastFetchSuccessAt: started });

    const second = await remote.commit(good('two\n'), 'second');
    clock.advance(NEXT_MS - 1);
    expect(fetches).toHaveLength(1);
    clock.advance(1);
    await fetchesDone(2);
    expect(fetches[1]).toMatchObject({ ok: true, atMs: started + NEXT_MS, revision: `main@sha1:${second}` });
    expect(accepted).toEqual([first, second]);

    // The ref did not move: fetched, not judged or handed on again.
    clock.advance(NEXT_MS);
    await fetchesDone(3);
    expect(judged.map(([, ok]) => ok)).toEqual([true, true]);
    expect(accepted).toEqual([first, second]);
  });

  it('judges a bad revision once, keeps the last good one, and takes the next good commit', async () => {
    const first = await remote.commit(good('one\n'), 'first');
    loop.start();
    await fetchesDone(1);
    const broken = await remote.commit(bad, 'broken');
    for (let i = 2; i <= 4; i++) {
      clock.advance(NEXT_MS);
      await fetchesDone(i);
    }
    expect(judged).toEqual([[`main@sha1:${first}`, true], [`main@sha1:${broken}`, false]]);
    expect(logLines.filter((l) => l.msg.startsWith('revision rejected'))).toHaveLength(1);
    const record = store.controller();
    expect(record.lastGoodRevision).toBe(`main@sha1:${first}`);
    expect(record.newestRevision).toBe(`main@sha1:${broken}`);
    expect(record.rejected?.revision).toBe(`main@sha1:${broken}`);
    expect(record.rejected?.problems.map((p) => [p.file, p.path])).toEqual([['hosts/web1.yaml', 'prot']]);

    const fixed = await remote.commit(good('three\n'), 'fixed');
    clock.advance(NEXT_MS);
    await fetchesDone(5);
    expect(accepted).toEqual([first, fixed]);
    expect(store.controller().rejected).toBeUndefined();
    expect(store.controller().lastGoodRevision).toBe(`main@sha1:${fixed}`);
  });

  it('counts failed fetches, keeps the last good revision, and recovers when the remote is back', async () => {
    const first = await remote.commit(good('one\n'), 'first');
    loop.start();
    await fetchesDone(1);
    await rename(remote.bare, `${remote.bare}.gone`);
    clock.advance(NEXT_MS);
    await fetchesDone(2);
    clock.advance(NEXT_MS);
    await fetchesDone(3);
    expect(fetches.slice(1).map((f) => f.ok)).toEqual([false, false]);
    expect(store.controller()).toMatchObject({ consecutiveFetchFailures: 2, lastGoodRevision: `main@sha1:${first}`, lastFetchSuccessAt: fetches[0]!.atMs });
    expect(store.controller().lastFetchError?.code).toMatch(/^E_/);

    await rename(`${remote.bare}.gone`, remote.bare);
    clock.advance(NEXT_MS);
    await fetchesDone(4);
    expect(store.controller()).toMatchObject({ consecutiveFetchFailures: 0, lastFetchSuccessAt: fetches[3]!.atMs });
    expect(store.controller().lastFetchError).toBeUndefined();
    expect(accepted).toEqual([first]);
  });

  it('coalesces triggers that come while a fetch runs into one more fetch', async () => {
    await remote.commit(good('one\n'), 'first');
    const triggers = [loop.triggerFetch(), loop.triggerFetch(), loop.triggerFetch()];
    await Promise.all(triggers);
    expect(fetches).toHaveLength(2);
    // The timer was set again after the last fetch: nothing more until the interval passes.
    clock.advance(NEXT_MS - 1);
    expect(fetches).toHaveLength(2);
  });

  it('hands a revision on again at the next fetch when installing it failed', async () => {
    const first = await remote.commit(good('one\n'), 'first');
    failInstall = true;
    loop.start();
    await fetchesDone(1);
    await poll('the install error logged', () => logLines.find((l) => l.msg === 'source loop error'));
    expect(accepted).toEqual([]);
    failInstall = false;
    clock.advance(NEXT_MS);
    await fetchesDone(2);
    await poll('the revision handed on again', () => (accepted.length === 1 ? true : undefined));
    expect(accepted).toEqual([first]);
  });
});
