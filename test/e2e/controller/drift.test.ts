/**
 * Drift made by hand on real hosts, found by a real controller's drift checks without any new commit:
 * repaired on a self-healing host, only reported (OutOfSync with its plan) on a host whose manifest
 * says `reconcile: { mode: report }`; a suspended host is never touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../fleet/index.js';
import { sshRun } from '../../support/ssh.js';
import {
  controllerConfig, createRemote, hostFile, revisionOf, startControllerProcess, tempDir, waitForHost,
  type ControllerProcess, type GitRemote,
} from './support.js';

let fleet: Fleet;
let remote: GitRemote;
let dir: string;
let ctl: ControllerProcess | undefined;

beforeAll(async () => {
  fleet = await startFleet({ count: 3, name: 'ctl-drift' });
  remote = await createRemote();
  dir = await tempDir();
});

afterAll(async () => {
  await ctl?.stop();
  await fleet?.stop();
  await remote?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('drover controller: drift by hand', () => {
  it('repairs it with selfHeal, only reports it in report mode, and leaves a suspended host alone', async () => {
    const commit = await remote.commit({
      'hosts/reported.yaml': hostFile(fleet.hosts[0]!, 'declared\n', { reconcile: { mode: 'report' } }),
      'hosts/healed.yaml': hostFile(fleet.hosts[1]!, 'declared\n'),
      'hosts/asleep.yaml': hostFile(fleet.hosts[2]!, 'declared\n'),
    });
    const stateDir = join(dir, 'state');
    const config = controllerConfig({ remote, fleet, stateDir, extra: { selfHeal: true, driftInterval: '300ms', suspendedHosts: ['asleep'] } });
    ctl = await startControllerProcess({ dir, stateDir, config });
    for (const name of ['reported', 'healed']) {
      await waitForHost(ctl, name, (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(commit), 'synced');
    }
    await sshRun(fleet, 'host1', 'echo by-hand > /srv/ctl/managed.txt');
    await sshRun(fleet, 'host2', 'echo by-hand > /srv/ctl/managed.txt');
    const tamperedAt = Date.now();

    const healed = await waitForHost(ctl, 'healed', (r) => r.history[0]?.startedAt !== undefined && r.history[0].startedAt > tamperedAt && r.history[0].result === 'applied', 'repaired');
    expect(healed.history[0]).toMatchObject({ trigger: 'drift', dryRun: false, changedSteps: ['backup_srv_ctl_managed_txt', 'regen_srv_ctl_managed_txt'] });
    expect(healed.status).toBe('Synced');
    expect(await sshRun(fleet, 'host2', 'cat /srv/ctl/managed.txt')).toBe('declared\n');

    const reported = await waitForHost(ctl, 'reported', (r) => r.status === 'OutOfSync', 'drift reported');
    expect(reported.history[0]).toMatchObject({ trigger: 'drift', dryRun: true, result: 'drift', changedSteps: [] });
    expect(reported.lastPlan?.steps.map((s) => s.name)).toEqual(['backup_srv_ctl_managed_txt', 'regen_srv_ctl_managed_txt']);
    expect(reported.reason).toContain('reported, not applied');
    expect(await sshRun(fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('by-hand\n');

    const asleep = await waitForHost(ctl, 'asleep', (r) => r.status === 'Suspended', 'suspended');
    expect(asleep.history).toEqual([]);
    expect(await sshRun(fleet, 'host3', 'test -e /srv/ctl && echo touched || echo untouched')).toBe('untouched\n');
  });
});
