/** StateStore.latestHost: the record with only its newest run, frozen (what the API's host list reads). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { newHostRecord, type RunRecord } from '../../../../controller/daemon/state/records.js';
import { openStateStore } from '../../../../controller/daemon/state/state.js';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'drover-state-latest-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const run = (id: string): RunRecord => ({ id, trigger: 'drift', revision: 'main@sha1:1', startedAt: 1, dryRun: true, result: 'in-sync', changedSteps: [] });

it('returns the newest run only, frozen, so a reader cannot change the store', async () => {
  const { store } = await openStateStore(dir);
  const saved = { ...newHostRecord('web1'), history: [run('r3'), run('r2'), run('r1')] };
  await store.saveHost(saved);
  saved.history[0]!.id = 'changed by the writer afterwards';
  const latest = store.latestHost('web1')!;
  expect(latest.history.map((r) => r.id)).toEqual(['r3']);
  expect(() => { (latest.history[0] as RunRecord).id = 'changed'; }).toThrow(TypeError);
  expect(() => { (latest as { reason: string }).reason = 'changed'; }).toThrow(TypeError);
  expect(() => { (store.host('web1')!.history as RunRecord[]).push(run('r0')); }).toThrow(TypeError);
  expect(() => { (store.controller() as { consecutiveFetchFailures: number }).consecutiveFetchFailures = 9; }).toThrow(TypeError);
  expect(store.host('web1')!.history.map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
  expect(store.host('web1')!.reason).toBe('not observed yet');
  expect(store.latestHost('nope')).toBeUndefined();
});
