/**
 * `drover reconcile` honours `after:` on real hosts: the app servers run once db1 has converged; a failed
 * db1 holds them (planned, not applied) with the reason `waiting for db1 (failed: ...)`, exit 3.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runDrover } from '../integration/cli/run-cli.js';
import { useFleet } from '../support/fleet.js';
import { useGitRemote } from '../support/git-remote.js';
import { fleetSshFlags, sshRun } from '../support/ssh.js';
import { hostFile } from './controller/support.js';

const env = useFleet({ count: 3, name: 'reconcile-after' });
const remote = useGitRemote();

/** db1 on host1 (its check fails unless `dbOk`), app1 and app2 on host2 and host3, after db1. */
function files(text: string, dbOk: boolean): Record<string, string> {
  const [db, app1, app2] = env.fleet.hosts;
  return {
    'roles/db.yaml': stringify({ tests: [{ name: 'up', command: dbOk ? 'true' : 'echo db is down >&2; exit 1' }] }),
    'roles/app.yaml': stringify({ after: ['db1'] }),
    'hosts/db1.yaml': hostFile(db!, text, { roles: ['db'] }),
    'hosts/app1.yaml': hostFile(app1!, text, { roles: ['app'] }),
    'hosts/app2.yaml': hostFile(app2!, text, { roles: ['app'] }),
  };
}

const fileOn = (host: string): Promise<string> => sshRun(env.fleet, host, 'cat /srv/ctl/managed.txt 2>/dev/null || echo none');

describe('drover reconcile with after:', () => {
  it('a failed db1 holds the app servers, untouched, with that reason (exit 3)', async () => {
    await remote.commit(files('v1\n', false), 'db check fails');
    const run = await runDrover(['reconcile', remote.work, '--yes', ...fleetSshFlags(env.fleet)]);
    expect(run.code, run.stdout + run.stderr).toBe(3);
    expect(run.stdout).toMatch(/✗ db1 \([0-9.:]+\): failed: test_db_up failed/);
    for (const app of ['app1', 'app2']) {
      expect(run.stdout).toMatch(new RegExp(`~ ${app} \\([0-9.:]+\\): not applied: waiting for db1 \\(failed: .*test_db_up.*\\) to be Synced on working tree`));
    }
    expect(await fileOn('host1')).toBe('v1\n');
    for (const host of ['host2', 'host3']) expect(await fileOn(host)).toBe('none\n');
  });

  it('with db1 healthy, every host converges (exit 0); a second run changes nothing', async () => {
    await remote.commit(files('v2\n', true), 'db check passes');
    const run = await runDrover(['reconcile', remote.work, '--yes', ...fleetSshFlags(env.fleet)]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    for (const host of ['host1', 'host2', 'host3']) expect(await fileOn(host)).toBe('v2\n');
    const again = await runDrover(['reconcile', remote.work, '--yes', ...fleetSshFlags(env.fleet)]);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).not.toMatch(/converged/);
  });
});
