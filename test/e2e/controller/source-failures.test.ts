/**
 * The source failing under a real controller: the remote gone, then back (the last revision is kept,
 * failures are counted, it recovers and applies what was pushed meanwhile), and a force push of the
 * followed branch refused (hosts stay where they are).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../fleet/index.js';
import { sshRun } from '../../support/ssh.js';
import {
  controllerConfig, controllerRecord, createRemote, git, hostFile, revisionOf, startControllerProcess, tempDir, waitForHost,
  type ControllerProcess, type GitRemote,
} from './support.js';

let fleet: Fleet;
let remote: GitRemote;
let dir: string;
let ctl: ControllerProcess;
let stateDir: string;

beforeAll(async () => {
  fleet = await startFleet({ count: 1, name: 'ctl-source' });
  remote = await createRemote();
  dir = await tempDir();
  const first = await remote.commit({ 'hosts/web1.yaml': hostFile(fleet.hosts[0]!, 'first\n') }, 'first');
  stateDir = join(dir, 'state');
  ctl = await startControllerProcess({ dir, stateDir, config: controllerConfig({ remote, fleet, stateDir }) });
  await waitForHost(ctl, 'web1', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(first), 'synced');
});

afterAll(async () => {
  await ctl?.stop();
  await fleet?.stop();
  await remote?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('drover controller: the source fails', () => {
  it('keeps the last revision while the remote is gone, counts the failures, and recovers when it is back', async () => {
    const before = await controllerRecord(stateDir);
    const away = `${remote.bare}.away`;
    await rename(remote.bare, away);
    try {
      const failing = await ctl.waitFor(async () => {
        const c = await controllerRecord(stateDir);
        return c && c.consecutiveFetchFailures >= 3 ? c : undefined;
      }, 'three failed fetches');
      expect(failing.lastFetchError?.code).toMatch(/^E_SOURCE_/);
      expect(failing.lastGoodRevision).toBe(before?.lastGoodRevision);
      expect(ctl.events.filter((e) => e.msg.startsWith('fetch failed')).length).toBeGreaterThanOrEqual(3);
    } finally {
      await rename(away, remote.bare);
    }
    const next = await remote.commit({ 'hosts/web1.yaml': hostFile(fleet.hosts[0]!, 'after the outage\n') }, 'after');
    await waitForHost(ctl, 'web1', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(next), 'applied after the outage');
    const recovered = await controllerRecord(stateDir);
    expect(recovered?.consecutiveFetchFailures).toBe(0);
    expect(recovered?.lastFetchError).toBeUndefined();
    expect(await sshRun(fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('after the outage\n');
  });

  it('refuses a force push of the followed branch, and changes no host', async () => {
    const good = (await controllerRecord(stateDir))!.lastGoodRevision!;
    await git(remote.work, 'reset', '-q', '--hard', 'HEAD~1');
    await remote.commit({ 'hosts/web1.yaml': hostFile(fleet.hosts[0]!, 'rewritten history\n') }, 'rewrite').catch(() => undefined);
    await git(remote.work, 'push', '-q', '--force', 'origin', 'main');
    const refused = await ctl.waitFor(async () => {
      const c = await controllerRecord(stateDir);
      return c?.lastFetchError?.code === 'E_SOURCE_NON_FAST_FORWARD' ? c : undefined;
    }, 'the force push refused');
    expect(refused.lastGoodRevision).toBe(good);
    expect(refused.lastFetchError?.message).toContain('allowNonFastForward');
    expect(await sshRun(fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('after the outage\n');
  });

  it('restarted while the remote is gone, goes on from the last good revision kept on disk', async () => {
    const good = (await controllerRecord(stateDir))!.lastGoodRevision!;
    expect(await ctl.stop()).toBe(0);
    await rename(remote.bare, `${remote.bare}.away`);
    ctl = await startControllerProcess({ dir, stateDir, config: controllerConfig({ remote, fleet, stateDir, extra: { selfHeal: true, driftInterval: '200ms' } }) });
    await ctl.waitForEvent((e) => e.msg === 'last good revision restored from its snapshot' && e.revision === good, 'the restore');
    await ctl.waitForEvent((e) => e.msg.startsWith('fetch failed'), 'a failed fetch');
    await sshRun(fleet, 'host1', 'echo by-hand > /srv/ctl/managed.txt');
    const repaired = await waitForHost(ctl, 'web1', (r) => r.history[0]?.trigger === 'drift' && r.history[0].result === 'applied', 'drift repaired');
    expect(repaired.lastAppliedRevision).toBe(good);
    expect(await sshRun(fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('after the outage\n');
    await rename(`${remote.bare}.away`, remote.bare);
  });
});
