/**
 * loadRepository() shares the controller's event loop with its HTTP server: loading a revision of
 * many hosts must let timers run every few ms instead of blocking for the whole load. Measured as
 * a ratio (longest gap between ticks of a setInterval(0) ticker vs the whole load), not a time limit.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManifestValidator, loadRepository } from '../../../manifests/index.js';
import { createYielder } from '../../../manifests/yield.js';
import { generateRepository } from '../../bench/gen-repo.js';

const HOSTS = 400;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-load-yields-'));
  await generateRepository(dir, { hosts: HOSTS, resourcesPerHost: 20 });
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** Runs `work` while a setInterval(0) ticker runs; returns the longest gap between ticks and the total time. */
async function measureGaps<T>(work: () => Promise<T>): Promise<{ result: T; longestGap: number; total: number }> {
  let last = performance.now();
  let longestGap = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
  }, 0);
  const start = performance.now();
  try {
    const result = await work();
    const total = performance.now() - start;
    longestGap = Math.max(longestGap, performance.now() - last);
    return { result, longestGap, total };
  } finally {
    clearInterval(ticker);
  }
}

describe('loadRepository yields to the event loop while it loads', () => {
  it(`lets timers run during a load of ${HOSTS} hosts (longest gap far below the whole load)`, async () => {
    const validator = createManifestValidator();
    await loadRepository(dir, { validator }); // warm up: module and template compilation happen once per process
    const { result, longestGap, total } = await measureGaps(() => loadRepository(dir, { validator }));
    expect(result.problems).toEqual([]);
    expect(result.hosts).toHaveLength(HOSTS);
    expect(longestGap * 4, `longest gap ${longestGap.toFixed(1)} ms during a ${total.toFixed(1)} ms load`).toBeLessThan(total);
  });

  it('gives the same hosts as a load of each host alone', async () => {
    const validator = createManifestValidator();
    const all = await loadRepository(dir, { validator });
    const names = [all.hosts[0]!.host.name, all.hosts[HOSTS - 1]!.host.name];
    const some = await loadRepository(dir, { validator, hosts: names });
    expect(some.hosts).toEqual([all.hosts[0], all.hosts[HOSTS - 1]]);
  });
});

describe('createYielder', () => {
  it('turns the event loop only once a slice has run out', async () => {
    let clock = 0;
    const pause = createYielder(10, () => clock);
    let turned = false;
    setImmediate(() => { turned = true; });
    clock = 5;
    await pause();
    expect(turned).toBe(false);
    clock = 10;
    await pause();
    expect(turned).toBe(true);
  });
});
