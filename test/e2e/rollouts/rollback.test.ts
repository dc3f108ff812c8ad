/**
 * rollbackOnFailedTests on a real service: a systemd fleet host runs a tiny HTTP service (python3
 * -m http.server) configured by /etc/tinyweb.conf. A config change that is valid (an env file) but
 * points the service at an empty directory makes the HTTP check fail; the run's files are put back from
 * the host's backup store, the service is restarted, and it answers again. Through `drover reconcile`
 * and through a real `drover controller` (Failed, reason RolledBack with the check's output).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startFleet, type Fleet } from '../../fleet/index.js';
import { runDrover } from '../../integration/cli/run-cli.js';
import { fleetSshFlags, sshRun } from '../../support/ssh.js';
import {
  controllerConfig, createRemote, revisionOf, startControllerProcess, tempDir, waitForHost,
  type ControllerProcess, type GitRemote,
} from '../controller/support.js';

let fleet: Fleet;
let remote: GitRemote;
let dir: string;
let ctl: ControllerProcess | undefined;
let address: string;

beforeAll(async () => {
  fleet = await startFleet({ count: 1, systemd: true, name: 'rollout-rollback' });
  address = fleet.hosts[0]!.address;
  remote = await createRemote();
  dir = await tempDir();
});

afterAll(async () => {
  await ctl?.stop();
  await fleet?.stop();
  await remote?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// systemctl restart returns once the service answers (ExecStartPost polls it), so the check that
// follows the handler tests the config, not the start-up.
const UNIT = [
  '[Unit]', 'Description=tiny web service', 'StartLimitIntervalSec=0', '[Service]', 'EnvironmentFile=/etc/tinyweb.conf',
  'ExecStart=/usr/bin/python3 -m http.server 8181 --bind ${BIND} --directory ${DIR}',
  'ExecStartPost=/bin/sh -c \'for i in $(seq 100); do curl -s -o /dev/null http://$BIND:8181/ && exit 0; sleep 0.05; done; exit 1\'',
  '[Install]', 'WantedBy=multi-user.target', '',
].join('\n');

function repo(dirName: string): Record<string, string> {
  return {
    'roles/web.yaml': stringify({
      rollbackOnFailedTests: true,
      resources: [
        { kind: 'directory', path: '/srv/www' },
        { kind: 'directory', path: '/srv/empty' },
        { kind: 'file', path: '/srv/www/health.txt', content: 'ok\n' },
        { kind: 'file', path: '/etc/systemd/system/tinyweb.service', content: UNIT, notify: ['service:tinyweb'] },
        { kind: 'file', path: '/etc/tinyweb.conf', content: `BIND=${address}\nDIR=${dirName}\n`, notify: ['service:tinyweb'] },
        { kind: 'service', name: 'tinyweb', enabled: true, state: 'running' },
      ],
      tests: [{ name: 'health', http: `http://${address}:8181/health.txt`, status: 200 }],
    }),
    'hosts/web1.yaml': stringify({ address, roles: ['web'] }),
  };
}

const health = (): Promise<string> => sshRun(fleet, 'host1', `curl -s -o /dev/null -w '%{http_code}' http://${address}:8181/health.txt`);
const conf = (): Promise<string> => sshRun(fleet, 'host1', 'cat /etc/tinyweb.conf');

describe('rollback on failed tests', () => {
  it('drover reconcile puts the config back and restarts the service when its HTTP check fails', async () => {
    await remote.commit(repo('/srv/www'), 'good');
    const good = await runDrover(['reconcile', remote.work, '--yes', ...fleetSshFlags(fleet)]);
    expect(good.code, good.stdout + good.stderr).toBe(0);
    expect(await health()).toBe('200');

    await remote.commit(repo('/srv/empty'), 'valid config, wrong directory');
    const bad = await runDrover(['reconcile', remote.work, '--yes', ...fleetSshFlags(fleet)]);
    expect(bad.code).toBe(3);
    expect(bad.stdout).toMatch(/! web1 \([0-9.:]+\): failed: RolledBack: test_web_health failed \(exit 1\); put back \/etc\/tinyweb\.conf; ran again restart_tinyweb \(changed\)/);
    expect(bad.stdout).toMatch(/\| drover: http:\/\/[0-9.]+:8181\/health\.txt answered HTTP 404, expected 200/);
    expect(await conf()).toBe(`BIND=${address}\nDIR=/srv/www\n`);
    expect(await health()).toBe('200');
  });

  it('the controller reports Failed with reason RolledBack and the check output; the service answers again', async () => {
    const good = await remote.commit(repo('/srv/www'), 'good again');
    const stateDir = join(dir, 'state');
    ctl = await startControllerProcess({ dir, stateDir, config: controllerConfig({ remote, fleet, stateDir }) });
    await waitForHost(ctl, 'web1', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(good), 'synced');
    const bad = await remote.commit(repo('/srv/empty'), 'bad again');
    const failed = await waitForHost(ctl, 'web1', (r) => r.status === 'Failed' && r.lastAttemptedRevision === revisionOf(bad), 'rolled back');
    expect(failed.reason).toMatch(/^RolledBack: test_web_health failed \(exit 1\); put back \/etc\/tinyweb\.conf; ran again restart_tinyweb \(changed\); output: drover: http:\/\/[0-9.]+:8181\/health\.txt answered HTTP 404, expected 200/);
    expect(failed.lastError).toMatchObject({ code: 'E_ROLLED_BACK', step: 'test_web_health' });
    expect(failed.lastAppliedRevision).toBe(revisionOf(good));
    // Rolled back: not retried (the service would flap).
    expect(ctl.events.filter((e) => e.msg === 'run started' && e.host === 'web1' && e.revision === revisionOf(bad))).toHaveLength(1);
    expect(await conf()).toBe(`BIND=${address}\nDIR=/srv/www\n`);
    expect(await health()).toBe('200');
  });
});
