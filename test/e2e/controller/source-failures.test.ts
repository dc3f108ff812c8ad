/**
 * The source failing under a real controller: the remote gone, then back (the last revision is kept,
 * failures are counted, it recovers and applies what was pushed meanwhile), and a force push of the
 * followed branch refused (hosts stay where they are).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { rename } from 'node:fs/promises';
import { sshRun } from '../../support/ssh.js';
import { git } from '../../support/git-remote.js';
import { controllerRecord, hostFile, revisionOf, waitForHost, type ControllerProcess, useControllerEnv } from './support.js';

const env = useControllerEnv({ count: 1, name: 'ctl-source' });
let ctl: ControllerProcess;
let stateDir: string;

beforeAll(async () => {
  const first = await env.remote.commit({ 'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'first\n') }, 'first');
  stateDir = env.stateDir;
  ctl = await env.start();
  await waitForHost(ctl, 'web1', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(first), 'synced');
});

describe('drover controller: the source fails', () => {
  it('keeps the last revision while the remote is gone, counts the failures, and recovers when it is back', async () => {
    const before = await controllerRecord(stateDir);
    const away = `${env.remote.bare}.away`;
    await rename(env.remote.bare, away);
    try {
      // The record is saved before the failure is logged: wait for both (the log line may come a moment later).
      const logged = (): number => ctl.events.filter((e) => e.msg.startsWith('fetch failed')).length;
      const failing = await ctl.waitFor(async () => {
        const c = await controllerRecord(stateDir);
        return c && c.consecutiveFetchFailures >= 3 && logged() >= 3 ? c : undefined;
      }, 'three failed fetches, recorded and logged');
      expect(failing.lastFetchError?.code).toMatch(/^E_SOURCE_/);
      expect(failing.lastGoodRevision).toBe(before?.lastGoodRevision);
    } finally {
      await rename(away, env.remote.bare);
    }
    const next = await env.remote.commit({ 'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'after the outage\n') }, 'after');
    await waitForHost(ctl, 'web1', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(next), 'applied after the outage');
    const recovered = await controllerRecord(stateDir);
    expect(recovered?.consecutiveFetchFailures).toBe(0);
    expect(recovered?.lastFetchError).toBeUndefined();
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('after the outage\n');
  });

  it('refuses a force push of the followed branch, and changes no host', async () => {
    const good = (await controllerRecord(stateDir))!.lastGoodRevision!;
    await git(env.remote.work, 'reset', '-q', '--hard', 'HEAD~1');
    await env.remote.commit({ 'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'rewritten history\n') }, 'rewrite').catch(() => undefined);
    await git(env.remote.work, 'push', '-q', '--force', 'origin', 'main');
    const refused = await ctl.waitFor(async () => {
      const c = await controllerRecord(stateDir);
      return c?.lastFetchError?.code === 'E_SOURCE_NON_FAST_FORWARD' ? c : undefined;
    }, 'the force push refused');
    expect(refused.lastGoodRevision).toBe(good);
    expect(refused.lastFetchError?.message).toContain('allowNonFastForward');
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('after the outage\n');
  });

  it('restarted while the remote is gone, goes on from the last good revision kept on disk', async () => {
    const good = (await controllerRecord(stateDir))!.lastGoodRevision!;
    expect(await ctl.stop()).toBe(0);
    await rename(env.remote.bare, `${env.remote.bare}.away`);
    ctl = await env.start({ extra: { selfHeal: true, driftInterval: '200ms' } });
    await ctl.waitForEvent((e) => e.msg === 'last good revision restored from its snapshot' && e.revision === good, 'the restore');
    await ctl.waitForEvent((e) => e.msg.startsWith('fetch failed'), 'a failed fetch');
    await sshRun(env.fleet, 'host1', 'echo by-hand > /srv/ctl/managed.txt');
    const repaired = await waitForHost(ctl, 'web1', (r) => r.history[0]?.trigger === 'drift' && r.history[0].result === 'applied', 'drift repaired');
    expect(repaired.lastAppliedRevision).toBe(good);
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('after the outage\n');
    await rename(`${env.remote.bare}.away`, env.remote.bare);
  });
});
