/**
 * `after:` under a real controller: the app servers (group `app`, `after: [db1]`) are applied on a new
 * revision only once db1 is Synced on it (their apply runs start after db1's ended, by the records'
 * times); a failed db1 holds them, planned only, with the reason `waiting for db1 (Failed: ...)`.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { HostRecord, RunRecord } from '../../../controller/daemon/state/records.js';
import { sshRun } from '../../support/ssh.js';
import { hostFile, revisionOf, useControllerEnv, waitForHost, type ControllerProcess } from './support.js';

const env = useControllerEnv({ count: 3, name: 'ctl-after' });
const APPS = ['app1', 'app2'];

/** db1 (host1) and app1, app2 (host2, host3) with `text` in their managed file; db1's migration may fail. */
function files(text: string, options: { dbFails?: boolean } = {}): Record<string, string> {
  const [db, app1, app2] = env.fleet.hosts;
  const migrate = options.dbFails
    ? { kind: 'command', name: 'migrate', run: 'echo migration failed >&2; exit 1', unless: 'false' }
    : { kind: 'command', name: 'migrate', run: 'touch /srv/ctl/migrated', creates: '/srv/ctl/migrated' };
  return {
    'groups/app.yaml': stringify({ include: APPS, after: ['db1'] }),
    'hosts/db1.yaml': stringify({
      address: db!.address,
      resources: [{ kind: 'directory', path: '/srv/ctl' }, { kind: 'file', path: '/srv/ctl/managed.txt', content: text, mode: '0644' }, migrate],
    }),
    'hosts/app1.yaml': hostFile(app1!, text),
    'hosts/app2.yaml': hostFile(app2!, text),
  };
}

/** The host's apply run at `revision` that ended (the newest one). */
function applyRun(record: HostRecord, revision: string): RunRecord | undefined {
  return record.history.find((r) => r.revision === revision && !r.dryRun && r.endedAt !== undefined);
}

async function allSynced(ctl: ControllerProcess, commit: string): Promise<Map<string, HostRecord>> {
  const out = new Map<string, HostRecord>();
  for (const name of ['db1', ...APPS]) {
    out.set(name, await waitForHost(ctl, name, (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(commit), 'Synced'));
  }
  return out;
}

function expectAppsAfterDb(records: Map<string, HostRecord>, revision: string): void {
  const db = applyRun(records.get('db1')!, revision);
  expect(db?.result).toBe('applied');
  for (const app of APPS) {
    const run = applyRun(records.get(app)!, revision);
    expect(run?.result, app).toBe('applied');
    expect(run!.startedAt, `${app} starts after db1 ended`).toBeGreaterThanOrEqual(db!.endedAt!);
  }
}

describe('drover controller: hosts after hosts', () => {
  let ctl: ControllerProcess;

  it('applies db1 first, then the app servers', async () => {
    const commit = await env.remote.commit(files('v1\n'), 'first');
    ctl = await env.start({ extra: { concurrency: 3 } });
    const records = await allSynced(ctl, commit);
    expectAppsAfterDb(records, revisionOf(commit));
    // Held while db1 ran: a plan-only run at the revision, before the apply.
    const held = records.get('app1')!.history.filter((r) => r.revision === revisionOf(commit) && r.dryRun);
    expect(held.length).toBeGreaterThanOrEqual(1);
  });

  it('a failed db1 holds the app servers with that reason; fixed, they follow it', async () => {
    const bad = await env.remote.commit(files('v2\n', { dbFails: true }), 'db1 fails');
    await waitForHost(ctl, 'db1', (r) => r.status === 'Failed' && r.lastAttemptedRevision === revisionOf(bad), 'failed');
    for (const app of APPS) {
      const record = await waitForHost(ctl, app, (r) => /^waiting for db1 \(Failed: E_STEP_FAILED/.test(r.reason), 'held for db1');
      expect(record.status).toBe('OutOfSync');
      expect(applyRun(record, revisionOf(bad))).toBeUndefined();
    }
    for (const host of ['host2', 'host3']) expect(await sshRun(env.fleet, host, 'cat /srv/ctl/managed.txt')).toBe('v1\n');

    const fixed = await env.remote.commit(files('v3\n'), 'db1 fixed');
    const records = await allSynced(ctl, fixed);
    expectAppsAfterDb(records, revisionOf(fixed));
    for (const host of ['host1', 'host2', 'host3']) expect(await sshRun(env.fleet, host, 'cat /srv/ctl/managed.txt')).toBe('v3\n');
  });
});
