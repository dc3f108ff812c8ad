/**
 * Maintenance windows on real fleet hosts. The controller (in-process: startController, its real API,
 * real git): a commit made inside a deny window is planned, not applied (OutOfSync, reason
 * OutsideWindow, files untouched, blockedBy `window` in the HTTP API), and `drover sync --override-window` over its real HTTP listener
 * applies it. `drover reconcile` holds the same hosts (exit 2) unless --override-window.
 */
import { describe, expect, it } from 'vitest';
import type { RunningController } from '../../../controller/daemon/controller.js';
import { startHttpServer, type HttpServer } from '../../../controller/daemon/http/server.js';
import type { HostView } from '../../../controller/daemon/api.js';
import { runDrover } from '../../integration/cli/run-cli.js';
import { fleetSshFlags, sshRun } from '../../support/ssh.js';
import { poll } from '../../support/poll.js';
import { revisionOf, startLiveController, useControllerEnv, WITHIN_A_TEST } from '../controller/support.js';
import { hostFiles, repoFiles } from './support.js';

const env = useControllerEnv({ count: 2, name: 'rollout-windows' });
let controller: RunningController | undefined;
let http: HttpServer | undefined;
// Opens every minute for an hour: always inside, whenever the test runs.
const denyAlways = { windows: [{ deny: true, cron: '* * * * *', duration: '1h' }] };

const fileOn = (i: number): Promise<string> => sshRun(env.fleet, `host${i + 1}`, 'cat /srv/ctl/managed.txt');

env.onTeardown(async () => {
  await http?.close();
  await controller?.stop();
});

describe('maintenance windows', () => {
  it('the controller holds a commit made inside a deny window; a sync with overrideWindow applies it', async () => {
    const first = await env.remote.commit({ ...repoFiles({ canary: [], drover: {} }), ...hostFiles(env.fleet.hosts, 'good v1\n') }, 'first');
    const started = await startLiveController(env);
    controller = started.controller;
    const { settings, log } = started;
    http = await startHttpServer({ api: controller, settings, log, startedAt: Date.now() });
    await poll('both hosts Synced at the first commit', () => controller!.hosts().length === 2 && controller!.hosts().every((h) => h.status === 'Synced' && h.lastAppliedRevision === revisionOf(first)), WITHIN_A_TEST);

    const held = await env.remote.commit({ 'drover.yaml': JSON.stringify(denyAlways), ...hostFiles(env.fleet.hosts, 'good v2\n') }, 'inside the deny window');
    const hosts = await poll('both hosts held OutOfSync at the commit inside the window', () => {
      const all = controller!.hosts();
      return all.every((h) => h.status === 'OutOfSync' && h.lastAttemptedRevision === revisionOf(held)) ? all : undefined;
    }, WITHIN_A_TEST);
    for (const h of hosts) expect(h.reason).toMatch(/^OutsideWindow: inside deny window "\* \* \* \* \*" \(UTC, 60m\)/);
    // Why not on the newest revision, over the HTTP API too: the window.
    const listed = (await (await fetch(`${http.url}/api/v1/hosts`)).json()) as { hosts: HostView[] };
    for (const h of listed.hosts) {
      expect(h.blockedBy?.kind).toBe('window');
      expect(h.blockedBy?.reason).toMatch(/^outside its maintenance window: inside deny window "\* \* \* \* \*" \(UTC, 60m\)/);
    }
    for (const i of [0, 1]) expect(await fileOn(i)).toBe('good v1\n');
    const shown = await runDrover(['hosts', '--state-dir', env.stateDir, '--output', 'json']);
    const body = JSON.parse(shown.stdout) as { hosts: { host: string; status: string; reason: string }[] };
    expect(body.hosts.map((h) => [h.host, h.status, h.reason.split(':')[0]])).toEqual([['h01', 'OutOfSync', 'OutsideWindow'], ['h02', 'OutOfSync', 'OutsideWindow']]);

    const synced = await runDrover(['sync', '--wait', '--override-window', '--host', 'h01', '--controller', http.url]);
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.stdout).toMatch(/h01\s+applied\s+main@sha1:/);
    expect(controller.host('h01')).toMatchObject({ status: 'Synced', lastAppliedRevision: revisionOf(held) });
    expect(await fileOn(0)).toBe('good v2\n');
    expect(controller.host('h02')).toMatchObject({ status: 'OutOfSync' });
    expect(await fileOn(1)).toBe('good v1\n');
    await http.close();
    http = undefined;
    await controller.stop();
    controller = undefined;
  });

  it('drover reconcile holds hosts outside their windows (exit 2) and --override-window applies', async () => {
    await env.remote.commit(hostFiles(env.fleet.hosts, 'good v3\n'), 'v3');
    const held = await runDrover(['reconcile', env.remote.work, '--yes', ...fleetSshFlags(env.fleet)]);
    expect(held.code, held.stderr).toBe(2);
    expect(held.stdout).toMatch(/~ h02 \(127\.[0-9.:]+\): not applied: OutsideWindow: inside deny window/);
    expect(await fileOn(1)).toBe('good v1\n');
    const applied = await runDrover(['reconcile', env.remote.work, '--yes', '--override-window', ...fleetSshFlags(env.fleet)]);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    for (const i of [0, 1]) expect(await fileOn(i)).toBe('good v3\n');
  });
});
