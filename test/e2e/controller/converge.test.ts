/**
 * A real `drover controller` following a real bare remote converges real fleet hosts: the first commit
 * converges every host; a commit that changes one host's desired state runs that host only (the others
 * move to the new revision without a run); `drover hosts --state-dir` shows it; SIGTERM exits 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../fleet/index.js';
import { runDrover } from '../../integration/cli/run-cli.js';
import { sshRun } from '../../support/ssh.js';
import {
  controllerConfig, createRemote, hostFile, hostRecord, revisionOf, startControllerProcess, tempDir, waitForHost,
  type ControllerProcess, type GitRemote,
} from './support.js';

let fleet: Fleet;
let remote: GitRemote;
let dir: string;
let ctl: ControllerProcess | undefined;

beforeAll(async () => {
  fleet = await startFleet({ count: 3, name: 'ctl-converge' });
  remote = await createRemote();
  dir = await tempDir();
});

afterAll(async () => {
  await ctl?.stop();
  await fleet?.stop();
  await remote?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const names = ['web1', 'web2', 'web3'];
const hostsAt = (texts: string[]): Record<string, string> =>
  Object.fromEntries(names.map((n, i) => [`hosts/${n}.yaml`, hostFile(fleet.hosts[i]!, texts[i]!)]));

describe('drover controller: commits converge the hosts they affect', () => {
  it('converges every host of the first commit, then only the host a second commit changes', async () => {
    const first = await remote.commit(hostsAt(['one\n', 'one\n', 'one\n']), 'first');
    const stateDir = join(dir, 'state');
    ctl = await startControllerProcess({ dir, stateDir, config: controllerConfig({ remote, fleet, stateDir }) });
    for (const name of names) {
      await waitForHost(ctl, name, (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(first), 'synced at the first commit');
    }
    for (const host of ['host1', 'host2', 'host3']) expect(await sshRun(fleet, host, 'cat /srv/ctl/managed.txt')).toBe('one\n');

    const second = await remote.commit({ 'hosts/web2.yaml': hostFile(fleet.hosts[1]!, 'two\n') }, 'only web2');
    const web2 = await waitForHost(ctl, 'web2', (r) => r.lastAppliedRevision === revisionOf(second) && r.status === 'Synced', 'applied the second commit');
    expect(web2.history[0]).toMatchObject({ trigger: 'revision', result: 'applied', revision: revisionOf(second), changedSteps: ['backup_srv_ctl_managed_txt', 'regen_srv_ctl_managed_txt'] });
    expect(await sshRun(fleet, 'host2', 'cat /srv/ctl/managed.txt')).toBe('two\n');
    for (const name of ['web1', 'web3']) {
      const record = await waitForHost(ctl, name, (r) => r.lastAppliedRevision === revisionOf(second), 'moved to the second commit');
      expect(record.status).toBe('Synced');
      expect(record.history.map((h) => h.revision), `${name} ran only for the first commit`).toEqual([revisionOf(first)]);
    }
    const runsOfSecond = ctl.events.filter((e) => e.phase === 'done' && e.revision === revisionOf(second));
    expect(runsOfSecond.map((e) => e.host)).toEqual(['web2']);
  });

  it('drover hosts --state-dir shows each host with its status and revision', async () => {
    const shown = await runDrover(['hosts', '--state-dir', join(dir, 'state'), '--output', 'json']);
    expect(shown.code).toBe(0);
    const body = JSON.parse(shown.stdout) as { hosts: { host: string; status: string; lastAppliedRevision: string }[] };
    expect(body.hosts.map((h) => [h.host, h.status])).toEqual([['web1', 'Synced'], ['web2', 'Synced'], ['web3', 'Synced']]);
    const text = await runDrover(['hosts', '--state-dir', join(dir, 'state')]);
    expect(text.stdout).toMatch(/web2\s+Synced\s+main@sha1:[0-9a-f]{40}/);
  });

  it('a host that leaves the manifests leaves the live status and is never touched again', async () => {
    const before = (await hostRecord(join(dir, 'state'), 'web3'))!;
    const third = await remote.commit({ 'hosts/web3.yaml': null, 'hosts/web1.yaml': hostFile(fleet.hosts[0]!, 'three\n') }, 'drop web3');
    await waitForHost(ctl!, 'web1', (r) => r.lastAppliedRevision === revisionOf(third) && r.status === 'Synced', 'applied the third commit');
    const gone = await waitForHost(ctl!, 'web3', (r) => r.removedAt !== undefined, 'marked removed');
    expect(gone.history).toEqual(before.history);
    const fourth = await remote.commit({ 'hosts/web1.yaml': hostFile(fleet.hosts[0]!, 'four\n'), 'hosts/web2.yaml': hostFile(fleet.hosts[1]!, 'four\n') }, 'more');
    await waitForHost(ctl!, 'web2', (r) => r.lastAppliedRevision === revisionOf(fourth), 'applied the fourth commit');
    expect((await hostRecord(join(dir, 'state'), 'web3'))?.history).toEqual(before.history);
    expect(ctl!.events.filter((e) => e.host === 'web3' && e.phase === 'done')).toHaveLength(1);
    const shown = await runDrover(['hosts', '--state-dir', join(dir, 'state'), '--output', 'json']);
    expect((JSON.parse(shown.stdout) as { hosts: { host: string }[] }).hosts.map((h) => h.host)).toEqual(['web1', 'web2']);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    expect(await ctl!.stop()).toBe(0);
    expect(ctl!.events.some((e) => e.msg === 'controller stopped')).toBe(true);
  });
});
