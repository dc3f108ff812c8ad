/**
 * The lockout guard end to end: a real `drover controller` (HTTP API, metrics) and real fleet hosts.
 * A normal change is confirmed over a new SSH connection and stays (no watchdog left on the host). A
 * commit that replaces the controller's authorized key on web1 cuts the controller out: web1 undoes the
 * run by itself within confirmWithin, the controller reports it Failed (E_LOCKED_OUT), counts it and
 * quarantines the revision, which no later run applies again (a commit that keeps web1's desired state, a
 * restart); the API, `drover hosts` and `drover explain` say why web1 is not on the newest revision. A fixing commit converges.
 * A controller SIGKILLed during the window: the host undoes the run, the restarted controller reports it.
 * Needs `npm run build` (bin/drover.js -> dist/).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { HostDetail, HostView } from '../../../controller/daemon/api.js';
import { runDrover } from '../../integration/cli/run-cli.js';
import { freePort } from '../../support/net.js';
import { poll } from '../../support/poll.js';
import { sshRun } from '../../support/ssh.js';
import { request, startHttpControllerIn, type HttpController } from '../http/support.js';
import { hostRecord, revisionOf, useControllerEnv, waitForHost } from './support.js';

const env = useControllerEnv({ count: 2, name: 'ctl-lockout' });
const KEYS = '/etc/ssh/drover/authorized_keys';
const STRANGER = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMMzvBGUaSmOITbvfQpBR5oAh5sE9bLx3cFiGfTfYqMN nobody\n';
const SETTINGS = { 'drover.yaml': stringify({ settings: { confirmWithin: '3s' } }) };
let ctl: HttpController;
let metricsUrl: string;
let undoneRevision: string;

/** hosts/<name>.yaml of fleet host `i`: /etc/drover-lock/state.txt with `text`, and `extra` resources. */
function host(i: number, text: string, extra: Record<string, unknown>[] = []): string {
  return stringify({
    address: env.fleet.hosts[i]!.address,
    resources: [{ kind: 'directory', path: '/etc/drover-lock' }, { kind: 'file', path: '/etc/drover-lock/state.txt', content: text, mode: '0644' }, ...extra],
  });
}

const lockingOut = (text: string): string => host(0, text, [{ kind: 'file', path: KEYS, content: STRANGER, mode: '0644' }]);

async function api<T>(path: string): Promise<T> {
  const answer = await request(`${ctl.url}${path}`, { token: true });
  expect(answer.status, answer.text).toBe(200);
  return answer.json as T;
}

const web1 = (): Promise<HostDetail> => api<HostDetail>('/api/v1/hosts/web1');

async function lockouts(): Promise<string | undefined> {
  const text = await (await fetch(metricsUrl)).text();
  return /^drover_host_lockouts_total\{host="web1"\} (\d+)$/m.exec(text)?.[1];
}

describe('drover controller: the lockout guard', () => {
  it('confirms a normal change over a new connection: it stays and no watchdog is left on the host', async () => {
    const first = await env.remote.commit({ ...SETTINGS, 'hosts/web1.yaml': host(0, 'one\n'), 'hosts/web2.yaml': host(1, 'one\n') }, 'first');
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    ctl = await startHttpControllerIn(env, { extra: { metricsListen: `127.0.0.1:${port}` } });
    for (const name of ['web1', 'web2']) await waitForHost(ctl, name, (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(first), 'synced');
    // Confirmed: the watchdog removed its dir and let go of the apply lock; nothing is left that could undo the run.
    expect(await sshRun(env.fleet, 'host1', 'cat /etc/drover-lock/state.txt; ls /var/lib/drover; flock -n /var/lib/drover/lock echo free')).toBe('one\ninventory\nlock\npristine\nfree\n');
    const hosts = (await api<{ hosts: HostView[] }>('/api/v1/hosts')).hosts;
    expect(hosts.map((h) => [h.host, h.status, h.blockedBy])).toEqual([['web1', 'Synced', undefined], ['web2', 'Synced', undefined]]);
    expect(await lockouts()).toBe('0');
  });

  it('a commit that replaces the authorized key is undone by the host within confirmWithin and reported E_LOCKED_OUT', async () => {
    const bad = await env.remote.commit({ 'hosts/web1.yaml': lockingOut('two\n') }, 'lock the controller out');
    undoneRevision = revisionOf(bad);
    const started = Date.now();
    const failed = await waitForHost(ctl, 'web1', (r) => r.status === 'Failed' && r.lastAttemptedRevision === revisionOf(bad), 'reported locked out');
    expect(failed.lastError?.code).toBe('E_LOCKED_OUT');
    expect(failed.reason).toMatch(/^E_LOCKED_OUT: the run could not be confirmed over a new SSH connection within 3s \(E_AUTH[^)]*\); .*put back \/etc\/ssh\/drover\/authorized_keys/);
    // Back in within confirmWithin plus the time to notice: the old key works, the run's change is gone.
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(await sshRun(env.fleet, 'host1', `cat /etc/drover-lock/state.txt; grep -c nobody ${KEYS} || true`)).toBe('one\n0\n');
    expect(failed.quarantine).toMatchObject({ revision: revisionOf(bad), code: 'E_LOCKED_OUT' });
    await poll('the lockout counted', async () => ((await lockouts()) === '1' ? true : undefined));
    const shown = await web1();
    expect(shown.blockedBy).toMatchObject({ kind: 'quarantined', revision: revisionOf(bad), code: 'E_LOCKED_OUT' });
  });

  it('does not apply the undone desired state again for a later commit that keeps it; the API and drover hosts say why', async () => {
    const runsBefore = (await hostRecord(env.stateDir, 'web1'))!.history.length;
    const later = await env.remote.commit({ 'hosts/web2.yaml': host(1, 'two\n') }, 'only web2 changes');
    await waitForHost(ctl, 'web2', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(later), 'web2 applied');
    const held = await waitForHost(ctl, 'web1', (r) => r.history.length > runsBefore && r.history[0]!.revision === revisionOf(later), 'web1 ran at the later commit');
    expect(held.history[0]).toMatchObject({ dryRun: true, result: 'drift' });
    expect(held.status).toBe('Failed');
    expect(held.reason).toMatch(/^E_LOCKED_OUT: the run could not be confirmed/);
    // Quarantined by its desired state: the later commit holds web1 to the same one as the commit undone.
    expect((await web1()).blockedBy).toMatchObject({ kind: 'quarantined', revision: undoneRevision });
    const cli = await runDrover(['hosts', '--controller', ctl.url], { cwd: env.dir, env: { DROVER_TOKEN_FILE: join(env.dir, 'api-token') } });
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/web1\s+Failed\s+\S+\s+\S+\s+\d+\s+quarantined\s+revision main@sha1:[0-9a-f]{40} was undone on this host \(E_LOCKED_OUT\)/);
    expect(cli.stdout).toMatch(/web2\s+Synced\s+\S+\s+\S+\s+0\s+-\s+in sync with/);
    // drover explain: the cause, then the runs that led there (the undone apply, then the plan-only run) and the events.
    const explained = await runDrover(['explain', 'web1', '--controller', ctl.url], { cwd: env.dir, env: { DROVER_TOKEN_FILE: join(env.dir, 'api-token') } });
    expect(explained.code, explained.stderr).toBe(0);
    expect(explained.stdout).toMatch(/^web1: Failed {2}\(from http:\/\/127\.0\.0\.1:\d+\)\n {2}why: +revision main@sha1:[0-9a-f]{40} was undone on this host \(E_LOCKED_OUT\) at \S+; not applied again .*\[quarantined\]$/m);
    expect(explained.stdout).toMatch(/^ {2}status: +E_LOCKED_OUT: the run could not be confirmed/m);
    const runs = explained.stdout.split('\n').filter((l) => /^ {2}\d{4}-\d\d-\d\dT\S+ +\S+ +(revision|startup) /.test(l));
    expect(runs[0]).toMatch(/ revision +main@sha1:[0-9a-f]{12} +drift \(dry run\) /);
    expect(runs[1]).toMatch(/ revision +main@sha1:[0-9a-f]{12} +failed /);
    expect(explained.stdout).toMatch(/^ {2}\S+ {2}host\.failed {2}main@sha1:[0-9a-f]{12} E_LOCKED_OUT: /m);
  });

  it('keeps the quarantine across a restart: the startup run only plans', async () => {
    await ctl.stop();
    const runs = (await hostRecord(env.stateDir, 'web1'))!.history.length;
    ctl = await startHttpControllerIn(env, { extra: { metricsListen: metricsUrl.slice(7, -8) } });
    await poll('web1 observed after the restart', async () => ((await web1()).history.length > runs ? true : undefined));
    const after = await web1();
    expect(after.history[0]).toMatchObject({ dryRun: true });
    expect(after.blockedBy?.kind).toBe('quarantined');
    expect(await sshRun(env.fleet, 'host1', `grep -c nobody ${KEYS} || true`)).toBe('0\n');
  });

  it('a fixing commit converges and clears the quarantine', async () => {
    const fixed = await env.remote.commit({ 'hosts/web1.yaml': host(0, 'three\n') }, 'fix');
    const synced = await waitForHost(ctl, 'web1', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(fixed), 'converged');
    expect(synced.quarantine).toBeUndefined();
    expect((await web1()).blockedBy).toBeUndefined();
    expect(await sshRun(env.fleet, 'host1', 'cat /etc/drover-lock/state.txt')).toBe('three\n');
  });

  it('a controller SIGKILLed during the window: the host undoes the run, the restarted controller finds out and reports it', async () => {
    await ctl.stop();
    const slow = { kind: 'command', name: 'slow', run: 'sleep 2 && touch /etc/drover-lock/slow-done', creates: '/etc/drover-lock/slow-done' };
    const commit = await env.remote.commit({ 'hosts/web1.yaml': host(0, 'four\n', [slow]) }, 'a slow change');
    const killed = await startHttpControllerIn(env);
    await killed.waitForEvent((e) => e.host === 'web1' && e.phase === 'apply' && e.revision === revisionOf(commit), 'the apply to start');
    // Killed once the run is on the host and has armed its watchdog (the slow command keeps it going 2 s).
    await poll('the watchdog armed', async () => ((await sshRun(env.fleet, 'host1', 'test -e /var/lib/drover/guard/armed && echo armed || true')) === 'armed\n' ? true : undefined));
    killed.child.kill('SIGKILL');
    await killed.exited;
    // Nobody confirms: the run ends on its own, and 3 s later the host puts state.txt back.
    await poll('the host undid the run', async () => ((await sshRun(env.fleet, 'host1', 'cat /var/lib/drover/undone 2>/dev/null | head -1')) !== '' ? true : undefined), { timeoutMs: 60_000 });
    expect(await sshRun(env.fleet, 'host1', 'cat /etc/drover-lock/state.txt')).toBe('three\n');
    ctl = await startHttpControllerIn(env, { extra: { metricsListen: metricsUrl.slice(7, -8) } });
    const reported = await waitForHost(ctl, 'web1', (r) => r.status === 'Failed' && r.lastAttemptedRevision === revisionOf(commit), 'reported after the restart');
    expect(reported.reason).toMatch(/^E_LOCKED_OUT: the run was never confirmed over a new SSH connection; /);
    expect(reported.quarantine).toMatchObject({ revision: revisionOf(commit), code: 'E_LOCKED_OUT' });
    expect(reported.history.map((h) => [h.trigger, h.result])).toContainEqual(['revision', 'interrupted']);
    expect((await web1()).blockedBy).toMatchObject({ kind: 'quarantined', revision: revisionOf(commit) });
    await poll('the lockout counted by the new process', async () => ((await lockouts()) === '1' ? true : undefined));
    expect(await sshRun(env.fleet, 'host1', 'cat /etc/drover-lock/state.txt')).toBe('three\n');
  });
});
