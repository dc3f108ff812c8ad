/**
 * Directories drover owns under a real controller: the first apply purges the undeclared entry of a
 * `purge: true` directory and leaves a `purge: report` one alone, the host Synced with a reason naming what
 * is only reported; an entry dropped there later by hand is purged again by the self-healing drift check.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { RunRecord } from '../../../controller/daemon/state/records.js';
import { sshRun } from '../../support/ssh.js';
import { hostRecord, revisionOf, useControllerEnv, waitForHost } from './support.js';

const env = useControllerEnv({ count: 1, name: 'ctl-purge' });

const host = (command: string): Promise<string> => sshRun(env.fleet, 'host1', command);

describe('drover controller: directories drover owns', () => {
  it('purges on apply, reports without changing, and purges again what drifts in', async () => {
    await host('mkdir -p /srv/owned /srv/listed && echo stray > /srv/owned/stray && echo listed > /srv/listed/by-hand');
    const commit = await env.remote.commit({
      'hosts/web1.yaml': stringify({
        address: env.fleet.hosts[0]!.address,
        resources: [
          { kind: 'directory', path: '/srv/owned', purge: true },
          { kind: 'file', path: '/srv/owned/app.conf', content: 'declared\n' },
          { kind: 'directory', path: '/srv/listed', purge: 'report' },
        ],
      }),
    });
    const ctl = await env.start({ extra: { selfHeal: true, driftInterval: '300ms' } });
    const synced = await waitForHost(ctl, 'web1', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(commit), 'synced');
    expect(synced.reason).toBe(`in sync with ${revisionOf(commit)}; 1 reported, not changed: purge_srv_listed_by_hand`);
    expect(synced.history.find((r) => !r.dryRun)?.changedSteps).toContain('purge_srv_owned_stray');
    expect(await host('ls -A /srv/owned /srv/listed')).toBe('/srv/listed:\nby-hand\n\n/srv/owned:\napp.conf\n');

    // Told by the history, not the clock: a run missing from the history taken before the edit, that changed something.
    const before = new Set((await hostRecord(env.stateDir, 'web1'))!.history.map((r) => r.id));
    await host('echo again > /srv/owned/dropped');
    const isRepair = (run: RunRecord): boolean => !before.has(run.id) && run.result === 'applied';
    const healed = await waitForHost(ctl, 'web1', (r) => r.history.some(isRepair), 'purged again');
    expect(healed.history.find(isRepair)).toMatchObject({ trigger: 'drift', changedSteps: ['purge_srv_owned_dropped'] });
    expect(await host('ls -A /srv/owned /srv/listed')).toBe('/srv/listed:\nby-hand\n\n/srv/owned:\napp.conf\n');
  });
});
