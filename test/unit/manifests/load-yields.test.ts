/**
 * loadRepository() shares the controller's event loop with its HTTP server: loading a revision of
 * many hosts must let timers and I/O run between files and hosts instead of blocking for the whole
 * load. Checked by counting turns of the event loop, not by timing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('loadRepository yields to the event loop while it loads', () => {
  it(`gives other callbacks a turn between every file and host of a ${HOSTS}-host load`, async () => {
    // A setImmediate ticker stands for the controller's HTTP server and timers. The injected yielder
    // turns the loop at every pause (slice 0) and records whether the ticker ran during each turn:
    // counts, not clock readings, so a busy machine cannot make this pass or fail.
    let ticks = 0;
    let running = true;
    const tick = (): void => { ticks++; if (running) setImmediate(tick); };
    setImmediate(tick);
    const turn = createYielder(0);
    let pauses = 0;
    let starved = 0;
    const yielder = async (): Promise<void> => {
      const before = ticks;
      pauses++;
      await turn();
      if (ticks === before) starved++;
    };
    try {
      const result = await loadRepository(dir, { validator: createManifestValidator(), yielder });
      expect(result.problems).toEqual([]);
      expect(result.hosts).toHaveLength(HOSTS);
    } finally {
      running = false;
    }
    // Parsed and validated (one step per file), then built: at least one pause per host file for each.
    expect(pauses).toBeGreaterThanOrEqual(2 * HOSTS);
    expect(starved).toBe(0);
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
