/**
 * SIGKILL of a real controller in the middle of an apply, then a restart on the same state: the
 * state is consistent (the cut run is in the history as interrupted, nothing lost), the host is
 * re-observed, and the run completes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startFleet, type Fleet } from '../../fleet/index.js';
import { sshRun } from '../../support/ssh.js';
import {
  controllerConfig, createRemote, hostRecord, revisionOf, startControllerProcess, tempDir, waitForHost,
  type ControllerProcess, type GitRemote,
} from './support.js';

let fleet: Fleet;
let remote: GitRemote;
let dir: string;
const running: ControllerProcess[] = [];

beforeAll(async () => {
  fleet = await startFleet({ count: 1, name: 'ctl-crash' });
  remote = await createRemote();
  dir = await tempDir();
});

afterAll(async () => {
  for (const ctl of running) await ctl.stop();
  await fleet?.stop();
  await remote?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('drover controller: killed mid-apply', () => {
  it('restarts with consistent state, re-observes the host, and the run completes', async () => {
    const commit = await remote.commit({
      'hosts/web1.yaml': stringify({
        address: fleet.hosts[0]!.address,
        resources: [
          { kind: 'directory', path: '/srv/ctl' },
          { kind: 'file', path: '/srv/ctl/before.txt', content: 'before\n' },
          { kind: 'command', name: 'slow', run: 'sleep 2 && touch /srv/ctl/slow-done', creates: '/srv/ctl/slow-done' },
          { kind: 'file', path: '/srv/ctl/after.txt', content: 'after\n', dependsOn: ['command:slow'] },
        ],
      }),
    });
    const stateDir = join(dir, 'state');
    const config = controllerConfig({ remote, fleet, stateDir });
    const first = await startControllerProcess({ dir, stateDir, config });
    running.push(first);
    const applying = await first.waitForEvent((e) => e.host === 'web1' && e.phase === 'apply', 'the apply to start');
    first.child.kill('SIGKILL');
    await first.exited;
    const left = await hostRecord(stateDir, 'web1');
    expect(left?.running?.id).toBe(applying.runId);

    const second = await startControllerProcess({ dir, stateDir, config });
    running.push(second);
    const done = await waitForHost(second, 'web1', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(commit), 'synced after the restart');
    expect(done.running).toBeUndefined();
    const interrupted = done.history.find((h) => h.id === applying.runId);
    expect(interrupted).toMatchObject({ result: 'interrupted', revision: revisionOf(commit), trigger: 'revision' });
    expect(done.history[0]).toMatchObject({ trigger: 'startup', revision: revisionOf(commit) });
    expect(second.events.some((e) => e.host === 'web1' && e.runId === applying.runId && /interrupted/.test(e.msg))).toBe(true);
    expect(await sshRun(fleet, 'host1', 'cat /srv/ctl/before.txt /srv/ctl/after.txt; test -e /srv/ctl/slow-done && echo slow-done'))
      .toBe('before\nafter\nslow-done\n');
  });
});
