/**
 * Drift made by hand on real hosts, found by a real controller's drift checks without any new commit:
 * repaired on a self-healing host, only reported (OutOfSync with its plan) on a host whose manifest
 * says `reconcile: { mode: report }`; a suspended host is never touched.
 */
import { describe, expect, it } from 'vitest';
import { sshRun } from '../../support/ssh.js';
import type { RunRecord } from '../../../controller/daemon/state/records.js';
import { hostFile, hostRecord, revisionOf, waitForHost, useControllerEnv } from './support.js';

const env = useControllerEnv({ count: 3, name: 'ctl-drift' });

describe('drover controller: drift by hand', () => {
  it('repairs it with selfHeal, only reports it in report mode, and leaves a suspended host alone', async () => {
    const commit = await env.remote.commit({
      'hosts/reported.yaml': hostFile(env.fleet.hosts[0]!, 'declared\n', { reconcile: { mode: 'report' } }),
      'hosts/healed.yaml': hostFile(env.fleet.hosts[1]!, 'declared\n'),
      'hosts/asleep.yaml': hostFile(env.fleet.hosts[2]!, 'declared\n'),
    });
    const ctl = await env.start({ extra: { selfHeal: true, driftInterval: '300ms', suspendedHosts: ['asleep'] } });
    for (const name of ['reported', 'healed']) {
      await waitForHost(ctl, name, (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(commit), 'synced');
    }
    // The repair is told by the history, not by the clock: a run missing from the history taken before
    // the edit, that found something. (Checks start every 300 ms: one may begin and see the edit before
    // the test, still closing its ssh session, could read the time of the edit.)
    const before = new Set((await hostRecord(env.stateDir, 'healed'))!.history.map((r) => r.id));
    await sshRun(env.fleet, 'host1', 'echo by-hand > /srv/ctl/managed.txt');
    await sshRun(env.fleet, 'host2', 'echo by-hand > /srv/ctl/managed.txt');

    const isRepair = (run: RunRecord): boolean => !before.has(run.id) && run.result !== undefined && run.result !== 'in-sync';
    const healed = await waitForHost(ctl, 'healed', (r) => r.history.some(isRepair), 'repaired');
    expect(healed.history.find(isRepair)).toMatchObject({
      trigger: 'drift', dryRun: false, result: 'applied', changedSteps: ['backup_srv_ctl_managed_txt', 'regen_srv_ctl_managed_txt'],
    });
    // The repair keeps what it changed: the masked diff from the hand edit back to the declared text.
    expect(healed.history.find(isRepair)!.diff).toEqual([{ step: 'regen_srv_ctl_managed_txt', lines: expect.arrayContaining(['-by-hand', '+declared']) }]);
    expect(healed.status).toBe('Synced');
    expect(await sshRun(env.fleet, 'host2', 'cat /srv/ctl/managed.txt')).toBe('declared\n');

    const reported = await waitForHost(ctl, 'reported', (r) => r.status === 'OutOfSync', 'drift reported');
    expect(reported.history[0]).toMatchObject({ trigger: 'drift', dryRun: true, result: 'drift', changedSteps: [] });
    expect(reported.history[0]!.diff?.[0]?.lines).toEqual(expect.arrayContaining(['-by-hand', '+declared']));
    expect(reported.lastPlan?.steps.map((s) => s.name)).toEqual(['backup_srv_ctl_managed_txt', 'regen_srv_ctl_managed_txt']);
    expect(reported.reason).toContain('reported, not applied');
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('by-hand\n');

    const asleep = await waitForHost(ctl, 'asleep', (r) => r.status === 'Suspended', 'suspended');
    expect(asleep.history).toEqual([]);
    expect(await sshRun(env.fleet, 'host3', 'test -e /srv/ctl && echo touched || echo untouched')).toBe('untouched\n');
  });
});
