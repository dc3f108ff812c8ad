/**
 * Maintenance windows on real fleet hosts. The controller (in-process: startController, its real API,
 * real git): a commit made inside a deny window is planned, not applied (OutOfSync, reason
 * OutsideWindow, files untouched), and a sync with overrideWindow applies it. `drover reconcile` holds
 * the same hosts (exit 2) unless --override-window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadControllerConfig } from '../../../controller/config/index.js';
import { startController, type RunningController } from '../../../controller/daemon/controller.js';
import { createLogger } from '../../../controller/daemon/log.js';
import { resolveSshSettings } from '../../../controller/reconcile/ssh-settings.js';
import { startFleet, type Fleet } from '../../fleet/index.js';
import { runDrover } from '../../integration/cli/run-cli.js';
import { fleetSshFlags, sshRun } from '../../support/ssh.js';
import { controllerConfig, createRemote, revisionOf, tempDir, type GitRemote } from '../controller/support.js';
import { hostFiles, repoFiles } from './support.js';

let fleet: Fleet;
let remote: GitRemote;
let dir: string;
let controller: RunningController | undefined;
// Opens every minute for an hour: always inside, whenever the test runs.
const denyAlways = { windows: [{ deny: true, cron: '* * * * *', duration: '1h' }] };

async function until<T>(check: () => T | undefined): Promise<T> {
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const fileOn = (i: number): Promise<string> => sshRun(fleet, `host${i + 1}`, 'cat /srv/ctl/managed.txt');

beforeAll(async () => {
  fleet = await startFleet({ count: 2, name: 'rollout-windows' });
  remote = await createRemote();
  dir = await tempDir();
});

afterAll(async () => {
  await controller?.stop();
  await fleet?.stop();
  await remote?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('maintenance windows', () => {
  it('the controller holds a commit made inside a deny window; a sync with overrideWindow applies it', async () => {
    const first = await remote.commit({ ...repoFiles({ canary: [], drover: {} }), ...hostFiles(fleet.hosts, 'good v1\n') }, 'first');
    await writeFile(join(dir, 'drover.config.yaml'), controllerConfig({ remote, fleet, stateDir: join(dir, 'state') }));
    const settings = await loadControllerConfig({ cwd: dir, env: {}, isRoot: false });
    const ssh = resolveSshSettings({ env: {}, knownHosts: fleet.knownHostsFile, identities: [fleet.clientKeyFile], connectTimeoutSeconds: 3 });
    controller = await startController({ settings, ssh, log: createLogger({ level: 'silent' }) });
    await until(() => (controller!.hosts().length === 2 && controller!.hosts().every((h) => h.status === 'Synced' && h.lastAppliedRevision === revisionOf(first)) ? true : undefined));

    const held = await remote.commit({ 'drover.yaml': JSON.stringify(denyAlways), ...hostFiles(fleet.hosts, 'good v2\n') }, 'inside the deny window');
    const hosts = await until(() => {
      const all = controller!.hosts();
      return all.every((h) => h.status === 'OutOfSync' && h.lastAttemptedRevision === revisionOf(held)) ? all : undefined;
    });
    for (const h of hosts) expect(h.reason).toMatch(/^OutsideWindow: inside deny window "\* \* \* \* \*" \(UTC, 60m\)/);
    for (const i of [0, 1]) expect(await fileOn(i)).toBe('good v1\n');
    const shown = await runDrover(['hosts', '--state-dir', join(dir, 'state'), '--output', 'json']);
    const body = JSON.parse(shown.stdout) as { hosts: { host: string; status: string; reason: string }[] };
    expect(body.hosts.map((h) => [h.host, h.status, h.reason.split(':')[0]])).toEqual([['h01', 'OutOfSync', 'OutsideWindow'], ['h02', 'OutOfSync', 'OutsideWindow']]);

    const { runId } = controller.sync({ hosts: ['h01'], overrideWindow: true });
    const run = await until(() => (controller!.run(runId)?.state === 'done' ? controller!.run(runId) : undefined));
    expect(run.hosts.h01).toMatchObject({ result: 'applied' });
    expect(controller.host('h01')).toMatchObject({ status: 'Synced', lastAppliedRevision: revisionOf(held) });
    expect(await fileOn(0)).toBe('good v2\n');
    expect(controller.host('h02')).toMatchObject({ status: 'OutOfSync' });
    expect(await fileOn(1)).toBe('good v1\n');
    await controller.stop();
    controller = undefined;
  });

  it('drover reconcile holds hosts outside their windows (exit 2) and --override-window applies', async () => {
    await remote.commit(hostFiles(fleet.hosts, 'good v3\n'), 'v3');
    const held = await runDrover(['reconcile', remote.work, '--yes', ...fleetSshFlags(fleet)]);
    expect(held.code, held.stderr).toBe(2);
    expect(held.stdout).toMatch(/~ h02 \(127\.[0-9.:]+\): not applied: OutsideWindow: inside deny window/);
    expect(await fileOn(1)).toBe('good v1\n');
    const applied = await runDrover(['reconcile', remote.work, '--yes', '--override-window', ...fleetSshFlags(fleet)]);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    for (const i of [0, 1]) expect(await fileOn(i)).toBe('good v3\n');
  });
});
