/**
 * SIGKILL of a real controller in the middle of an apply, then a restart on the same state: the
 * state is consistent (the cut run is in the history as interrupted, nothing lost), the host is
 * re-observed, and the run completes.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { sshRun } from '../../support/ssh.js';
import { createRemote } from '../../support/git-remote.js';
import { hostRecord, revisionOf, waitForHost, useControllerEnv } from './support.js';

const env = useControllerEnv({ count: 1, name: 'ctl-crash' });

/** A host whose apply takes 2 s: a file, a slow command, a file after it. */
function slowHost(dir: string): string {
  return stringify({
    address: env.fleet.hosts[0]!.address,
    // Without the lockout guard: a run nobody confirms would be undone by the host (lockout.test.ts covers that).
    confirmWithin: '0',
    resources: [
      { kind: 'directory', path: dir },
      { kind: 'file', path: `${dir}/before.txt`, content: 'before\n' },
      { kind: 'command', name: 'slow', run: `sleep 2 && touch ${dir}/slow-done`, creates: `${dir}/slow-done` },
      { kind: 'file', path: `${dir}/after.txt`, content: 'after\n', dependsOn: ['command:slow'] },
    ],
  });
}

describe('drover controller: stopped mid-apply', () => {
  it('on SIGTERM starts no new run, lets the running apply finish, and exits 0 (run from --repo, no config file)', async () => {
    const other = await createRemote();
    try {
      const commit = await other.commit({ 'hosts/web1.yaml': slowHost('/srv/term') });
      const stateDir = join(env.dir, 'term-state');
      const ctl = await env.start({
        stateDir,
        args: ['--repo', other.bare, '--state-dir', stateDir, '--known-hosts', env.fleet.knownHostsFile, '-i', env.fleet.clientKeyFile],
      });
      await ctl.waitForEvent((e) => e.host === 'web1' && e.phase === 'apply', 'the apply to start');
      expect(await ctl.stop()).toBe(0);
      const record = await hostRecord(stateDir, 'web1');
      expect(record?.running).toBeUndefined();
      expect(record?.history[0]).toMatchObject({ result: 'applied', revision: revisionOf(commit) });
      expect(record?.status).toBe('Synced');
      expect(ctl.events.filter((e) => e.msg === 'run started')).toHaveLength(1);
      expect(await sshRun(env.fleet, 'host1', 'cat /srv/term/after.txt')).toBe('after\n');
    } finally {
      await other.cleanup();
    }
  });

  it('after SIGKILL restarts with consistent state, re-observes the host, and the run completes', async () => {
    const commit = await env.remote.commit({ 'hosts/web1.yaml': slowHost('/srv/ctl') });
    const stateDir = env.stateDir;
    const first = await env.start();
    const applying = await first.waitForEvent((e) => e.host === 'web1' && e.phase === 'apply', 'the apply to start');
    first.child.kill('SIGKILL');
    await first.exited;
    const left = await hostRecord(stateDir, 'web1');
    expect(left?.running?.id).toBe(applying.runId);

    const second = await env.start();
    const done = await waitForHost(second, 'web1', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(commit), 'synced after the restart');
    expect(done.running).toBeUndefined();
    const interrupted = done.history.find((h) => h.id === applying.runId);
    expect(interrupted).toMatchObject({ result: 'interrupted', revision: revisionOf(commit), trigger: 'revision' });
    // The cut run goes on by itself on the host (detached, holding the apply lock) until it ends: the restart's
    // first run either finds it ended or finds the lock held (E_APPLY_BUSY) and the retry after it converges.
    const restarted = done.history.slice(0, done.history.indexOf(interrupted!));
    expect(restarted.map((h) => h.trigger).reverse()[0]).toBe('startup');
    expect(restarted.every((h) => h.revision === revisionOf(commit) && ['startup', 'retry'].includes(h.trigger))).toBe(true);
    expect(second.events.some((e) => e.host === 'web1' && e.runId === applying.runId && /interrupted/.test(e.msg))).toBe(true);
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/before.txt /srv/ctl/after.txt; test -e /srv/ctl/slow-done && echo slow-done'))
      .toBe('before\nafter\nslow-done\n');
  });
});
