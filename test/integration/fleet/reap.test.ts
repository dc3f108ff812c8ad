import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { reapStaleFleets } from '../../fleet/index.js';
import { isLive, mountsMentioning } from './run-ssh.js';

const CHILD = fileURLToPath(new URL('./orphan-fleet.ts', import.meta.url));

interface Orphan {
  dir: string;
  pids: number[];
  exited: Promise<void>;
  kill: (signal: NodeJS.Signals) => void;
}

/** Starts a fleet in a child process and resolves with what it printed once the fleet is up. */
function startOrphan(): Promise<Orphan> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes('\n')) return;
      const { dir, pids } = JSON.parse(out) as { dir: string; pids: number[] };
      resolve({ dir, pids, exited, kill: (signal) => child.kill(signal) });
    });
    void exited.then(() => reject(new Error(`orphan fleet child exited early: ${err}`)));
  });
}

function assertGone(orphan: Orphan): void {
  expect(orphan.pids.filter(isLive)).toEqual([]);
  expect(mountsMentioning(orphan.dir)).toEqual([]);
  expect(existsSync(orphan.dir)).toBe(false);
}

describe('fleet cleanup when the owning process dies', () => {
  it('SIGTERM: the exit guard kills the hosts and removes the fleet at once', async () => {
    const orphan = await startOrphan();
    expect(orphan.pids.every(isLive)).toBe(true);
    orphan.kill('SIGTERM');
    await orphan.exited;
    assertGone(orphan);
  });

  it('SIGKILL: reapStaleFleets() kills and removes the hosts the dead owner left', async () => {
    const orphan = await startOrphan();
    orphan.kill('SIGKILL');
    await orphan.exited;
    // No assertion that the hosts are still there: a fleet started meanwhile by another
    // test file reaps them too (startFleet calls reapStaleFleets), which is as intended.
    reapStaleFleets();
    assertGone(orphan);
  });
});
