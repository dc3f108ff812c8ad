/**
 * SIGKILL of a process in the middle of writing the state, several times over the same directory:
 * every load afterwards succeeds (no torn or empty record), records only move forward, and the temp
 * files of the interrupted writes are reported and cleaned up. (With plain writeFile instead of
 * writeFileAtomic this test fails: a kill between truncate and write leaves an empty web1.json.)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadState, openStateStore } from '../../../../controller/daemon/state/state.js';

const WRITER = join(import.meta.dirname, '../../../support/state-writer.ts');

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'drover-state-kill-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

/**
 * Starts the writer, waits until it reports `saves` more finished saves, and SIGKILLs it `delayMs`
 * later: killed right after a report it would always die between two saves (while serialising the
 * next record), so the delay spreads the kills over every point of a write (fault injection, not a
 * wait for readiness).
 */
async function writeThenKill(saves: number, delayMs: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  await new Promise<void>((resolve, reject) => {
    let lines = 0;
    let killing = false;
    child.stdout.on('data', (chunk: Buffer) => {
      lines += chunk.toString().split('\n').length - 1;
      if (lines < saves || killing) return;
      killing = true;
      setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited ${code}: ${stderr}`))));
  });
}

describe('state store killed mid-write', () => {
  it('always loads a whole record, newer each time', async () => {
    let previous = 0;
    for (let round = 0; round < 12; round++) {
      await writeThenKill(10 + round, round * 1.5);
      const loaded = await loadState(dir);
      const web1 = loaded.hosts.get('web1');
      expect(web1?.history.length).toBe(Math.min(50, web1?.consecutiveFailures ?? 0));
      expect(web1?.consecutiveFailures).toBeGreaterThan(previous);
      previous = web1?.consecutiveFailures ?? 0;
      expect(loaded.hosts.get('web2')?.host).toBe('web2');
      const opened = await openStateStore(dir);
      expect(opened.loaded.strayTempFiles).toEqual(loaded.strayTempFiles);
      expect((await loadState(dir)).strayTempFiles).toEqual([]);
    }
  });
});
