/**
 * The validation gate in a real controller: an invalid commit is rejected whole (errors kept in the
 * state and logged once), hosts stay on the last good revision, it is not validated again while the
 * branch stays there, and the next good commit is applied.
 */
import { describe, expect, it } from 'vitest';
import { runDrover } from '../../integration/cli/run-cli.js';
import { sshRun } from '../../support/ssh.js';
import { controllerRecord, hostFile, revisionOf, waitForHost, useControllerEnv } from './support.js';

const env = useControllerEnv({ count: 1, name: 'ctl-rejected' });

describe('drover controller: an invalid commit', () => {
  it('is rejected whole, keeps the last good revision, is not retried, and the next good commit works', async () => {
    const good = await env.remote.commit({ 'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'good\n') }, 'good');
    const stateDir = env.stateDir;
    const ctl = await env.start();
    await waitForHost(ctl, 'web1', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(good), 'synced');

    const bad = await env.remote.commit({
      'hosts/web1.yaml': `${hostFile(env.fleet.hosts[0]!, 'bad\n')}port: "twenty-two"\n`,
      'hosts/web2.yaml': 'address: 127.0.0.1\nresources:\n  - { kind: fiel, path: /x }\n',
    }, 'bad');
    const rejected = await ctl.waitFor(async () => {
      const c = await controllerRecord(stateDir);
      return c?.rejected?.revision === revisionOf(bad) ? c : undefined;
    }, 'the bad revision rejected');
    expect(rejected.lastGoodRevision).toBe(revisionOf(good));
    expect(rejected.rejected?.problems.map((p) => `${p.file}:${p.line}:${p.col}  ${p.path}`)).toEqual([
      'hosts/web1.yaml:10:7  port',
      'hosts/web2.yaml:3:13  resources[0].kind',
    ]);
    // Several more fetches of the same bad revision: it is not validated (nor logged) again.
    const seenAt = rejected.lastFetchSuccessAt!;
    await ctl.waitFor(async () => ((await controllerRecord(stateDir))?.lastFetchSuccessAt ?? 0) > seenAt + 600, 'more fetches');
    expect(ctl.events.filter((e) => e.msg.startsWith('revision rejected'))).toHaveLength(1);
    const logged = ctl.events.find((e) => e.msg.startsWith('revision rejected'))!;
    expect(logged.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^hosts\/web2\.yaml:3:13 {2}resources\[0\]\.kind {2}.*"fiel"/)]));
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('good\n');
    const shown = await runDrover(['hosts', '--state-dir', stateDir, '--output', 'json']);
    const body = JSON.parse(shown.stdout) as { hosts: { host: string; status: string; reason: string; lastAppliedRevision: string }[] };
    expect(body.hosts).toEqual([expect.objectContaining({ host: 'web1', status: 'Rejected', lastAppliedRevision: revisionOf(good) })]);
    expect(body.hosts[0]!.reason).toContain(`staying on ${revisionOf(good)}`);

    const fixed = await env.remote.commit({
      'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'fixed\n'), 'hosts/web2.yaml': null,
    }, 'fixed');
    await waitForHost(ctl, 'web1', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(fixed), 'applied the fixed commit');
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('fixed\n');
    expect((await controllerRecord(stateDir))?.rejected).toBeUndefined();
    expect((await controllerRecord(stateDir))?.lastGoodRevision).toBe(revisionOf(fixed));
  });
});
