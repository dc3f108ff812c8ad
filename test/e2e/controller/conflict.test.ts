/**
 * Drift that fights back, on a real fleet host and a real `drover controller` process: a loop on the host
 * (a stand-in for a cron job) rewrites a managed file every second; self-heal repairs it `conflict.repairs`
 * times, then marks it Conflict (its repairs, each with the masked diff of what changed) and stops repairing
 * it, while the host's other resources keep converging. The Conflict shows in the host's API answer,
 * `drover hosts`, /metrics and the event log, survives a controller restart, and is cleared by a commit
 * that changes the file or by `drover sync --force-conflict`. Needs `npm run build`.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { FleetHost } from '../../fleet/index.js';
import { runDrover } from '../../integration/cli/run-cli.js';
import { sshRun } from '../../support/ssh.js';
import type { HostRecord, RunRecord } from '../../../controller/daemon/state/records.js';
import { hostRecord, revisionOf, waitForHost, useControllerEnv } from './support.js';
import { request, startHttpControllerIn, type HttpController } from '../http/support.js';

const env = useControllerEnv({ count: 1, name: 'ctl-conflict' });
const FOUGHT = 'file:/srv/ctl/fought.txt';
const EXTRA = { selfHeal: true, driftInterval: '300ms' };
let ctl: HttpController;
let loopPid = '';

function hostFile(host: FleetHost, fought: string): string {
  return stringify({
    address: host.address,
    resources: [
      { kind: 'directory', path: '/srv/ctl' },
      { kind: 'file', path: '/srv/ctl/fought.txt', content: fought, mode: '0644' },
      { kind: 'file', path: '/srv/ctl/other.txt', content: 'other\n', mode: '0644' },
    ],
  });
}

const files = (fought: string): Record<string, string> => ({
  'drover.yaml': stringify({ settings: { conflict: { repairs: 3, within: '5m' } } }),
  'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, fought),
});

/** Starts the loop on the host that rewrites the file every second, detached from the ssh session. */
async function startFighting(): Promise<void> {
  const out = await sshRun(env.fleet, 'host1', "nohup sh -c 'while :; do echo fighting > /srv/ctl/fought.txt; sleep 1; done' >/dev/null 2>&1 </dev/null & echo $!");
  loopPid = out.trim();
  expect(loopPid).toMatch(/^[0-9]+$/);
}

async function stopFighting(): Promise<void> {
  await sshRun(env.fleet, 'host1', `kill ${loopPid}; while kill -0 ${loopPid} 2>/dev/null; do :; done`);
}

const changes = (step: string) => (run: RunRecord): boolean => run.changedSteps.includes(step);

/** Waits for `count` drift checks of web1 that started after `after` (run ids before it), and returns the record. */
function driftChecksAfter(before: ReadonlySet<string>, count: number, what: string): Promise<HostRecord> {
  return waitForHost(ctl, 'web1', (r) => r.history.filter((run) => !before.has(run.id) && run.trigger === 'drift' && run.result !== undefined).length >= count, what);
}

const runIds = async (): Promise<Set<string>> => new Set((await hostRecord(env.stateDir, 'web1'))!.history.map((r) => r.id));

describe('drover controller: a resource that drifts back again and again', () => {
  it('converges the host first', async () => {
    const commit = await env.remote.commit(files('declared\n'), 'web1 with two files');
    ctl = await startHttpControllerIn(env, { extra: EXTRA });
    await waitForHost(ctl, 'web1', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(commit), 'synced');
  });

  it('is repaired three times, then marked Conflict with each repair and its diff, and left alone', async () => {
    await startFighting();

    const found = await waitForHost(ctl, 'web1', (r) => r.conflicts?.some((c) => c.resource === FOUGHT) === true, 'fought.txt in Conflict');
    const conflict = found.conflicts!.find((c) => c.resource === FOUGHT)!;
    expect(conflict).toMatchObject({ reason: 'drift', code: 'E_RESOURCE_CONFLICT' });
    expect(conflict.message).toMatch(/^drifted back after 3 repairs within 5m/);
    expect(conflict.repairs).toHaveLength(3);
    for (const repair of conflict.repairs) {
      expect(repair.steps).toEqual(['regen_srv_ctl_fought_txt']);
      expect(repair.diff).toEqual(expect.arrayContaining(['-fighting', '+declared']));
      // A drift check (or, when the loop rewrote the file between apply and verify, the retry of that failed run).
      expect(found.history.find((r) => r.id === repair.runId)?.changedSteps).toContain('regen_srv_ctl_fought_txt');
    }
    expect(conflict.repairs.map((r) => r.at)).toEqual([...conflict.repairs.map((r) => r.at)].sort((a, b) => a - b));

    // Not a loop: the drift checks that follow leave the file as the loop writes it.
    const before = new Set(found.history.map((r) => r.id));
    const later = await driftChecksAfter(before, 5, 'five drift checks after the Conflict');
    expect(later.history.filter((r) => !before.has(r.id) && changes('regen_srv_ctl_fought_txt')(r))).toEqual([]);
    expect(later.status).toBe('Synced');
    expect(later.reason).toContain('1 resource in Conflict, self-heal paused: file:/srv/ctl/fought.txt');
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/fought.txt')).toBe('fighting\n');
  });

  it('keeps repairing the host\'s other resources', async () => {
    const before = await runIds();
    await sshRun(env.fleet, 'host1', 'echo by-hand > /srv/ctl/other.txt');
    const repaired = await waitForHost(ctl, 'web1', (r) => r.history.some((run) => !before.has(run.id) && changes('regen_srv_ctl_other_txt')(run)), 'other.txt repaired');
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/other.txt')).toBe('other\n');
    expect(repaired.conflicts?.map((c) => c.resource)).toEqual([FOUGHT]);
  });

  it('shows the Conflict in the host\'s answer, drover hosts, /metrics and the event log', async () => {
    const answer = await request(`${ctl.url}/api/v1/hosts/web1`, { token: true });
    expect(answer.status).toBe(200);
    const host = answer.json as HostRecord;
    expect(host.conflicts?.map((c) => [c.resource, c.code, c.repairs.length])).toEqual([[FOUGHT, 'E_RESOURCE_CONFLICT', 3]]);
    expect(host.conflicts![0]!.repairs[0]!.diff).toEqual(expect.arrayContaining(['-fighting', '+declared']));
    expect('repairs' in host).toBe(false);

    const hosts = await runDrover(['hosts', '--controller', ctl.url, '--token-file', join(env.dir, 'api-token')], { cwd: env.dir });
    expect(hosts.code, hosts.stderr).toBe(0);
    expect(hosts.stdout).toMatch(/^web1: file:\/srv\/ctl\/fought\.txt in Conflict since \S+ \(3 repairs: \d\d:\d\d:\d\d, \d\d:\d\d:\d\d, \d\d:\d\d:\d\d\): E_RESOURCE_CONFLICT: drifted back/m);

    const metrics = (await request(`${ctl.url}/metrics`, { token: true })).text;
    expect(metrics).toContain('drover_host_conflicts{host="web1"} 1');
    expect(metrics).toContain('drover_resource_conflicts{host="web1",resource="file:/srv/ctl/fought.txt",reason="drift"} 1');

    const events = (await request(`${ctl.url}/api/v1/events?type=host.conflict`, { token: true })).json as { events: { type: string; resource: string; code: string; repairs: number[] }[] };
    expect(events.events.map((e) => [e.type, e.resource, e.code, e.repairs.length])).toEqual([['host.conflict', FOUGHT, 'E_RESOURCE_CONFLICT', 3]]);
  });

  it('keeps the Conflict across a controller restart', async () => {
    await ctl.stop();
    ctl = await startHttpControllerIn(env, { extra: EXTRA });
    const before = await runIds();
    const later = await driftChecksAfter(before, 3, 'three drift checks after the restart');
    expect(later.history.filter((r) => !before.has(r.id) && changes('regen_srv_ctl_fought_txt')(r))).toEqual([]);
    expect(later.conflicts?.map((c) => c.resource)).toEqual([FOUGHT]);
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/fought.txt')).toBe('fighting\n');
  });

  it('is cleared by a commit that changes the file', async () => {
    await stopFighting();
    const commit = await env.remote.commit(files('declared v2\n'), 'fought.txt v2');
    const cleared = await waitForHost(ctl, 'web1', (r) => r.lastAppliedRevision === revisionOf(commit) && r.status === 'Synced', 'on the new commit');
    expect(cleared.conflicts).toBeUndefined();
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/fought.txt')).toBe('declared v2\n');
  });

  it('is cleared by drover sync --force-conflict, which applies the file again', async () => {
    await startFighting();
    await waitForHost(ctl, 'web1', (r) => r.conflicts?.some((c) => c.resource === FOUGHT) === true, 'fought.txt in Conflict again');
    await stopFighting();
    // The repair that declared the Conflict may have been the last write (the loop writes once a second):
    // drift it once more by hand; held, no drift check repairs it, only the forced sync.
    expect(await sshRun(env.fleet, 'host1', 'echo fighting > /srv/ctl/fought.txt; cat /srv/ctl/fought.txt')).toBe('fighting\n');
    const sync = await runDrover(['sync', '--wait', '--force-conflict', '--host', 'web1'], {
      cwd: env.dir, env: { DROVER_URL: ctl.url, DROVER_TOKEN_FILE: join(env.dir, 'api-token') },
    });
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(/web1\s+applied/);
    expect((await hostRecord(env.stateDir, 'web1'))!.conflicts).toBeUndefined();
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/fought.txt')).toBe('declared v2\n');
  });
});
