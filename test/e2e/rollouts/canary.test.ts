/**
 * Staged rollouts by a real `drover controller` on 10 real fleet hosts: a canary wave of 2 whose health
 * check fails halts the rollout and the other 8 are untouched (OutOfSync, held, shown by `drover hosts
 * --state-dir`, the metrics and blockedBy `wave` in the HTTP API); a fixing commit resumes it wave by wave, percentage waves taking the
 * expected hosts in a stable order; a canary-only failure is resumed by hand with `drover rollout resume`
 * (refused while nothing is halted, from the state directory and over HTTP; resumed over HTTP); the event
 * log tells the halt, the resume and the failing canaries.
 */
import { describe, expect, it } from 'vitest';
import { runDrover } from '../../integration/cli/run-cli.js';
import { parseExposition } from '../../support/exposition.js';
import { freePort } from '../../support/net.js';
import { sshRun } from '../../support/ssh.js';
import { hostRecord, revisionOf, waitForHost, type ControllerProcess, useControllerEnv } from '../controller/support.js';
import type { HostRecord } from '../../../controller/daemon/state/records.js';
import type { HostView } from '../../../controller/daemon/api.js';
import { loadRollouts } from '../../../controller/daemon/rollouts/rollout-store.js';
import { hostFiles, hostNames, repoFiles } from './support.js';

const env = useControllerEnv({ count: 10, name: 'rollout-canary' });
let ctl: ControllerProcess | undefined;
let metricsUrl: string;
const names = hostNames(10);
const canary = ['h03', 'h07'];
const others = names.filter((n) => !canary.includes(n));
const policy = { rollout: { waves: [{ group: 'canary' }, { percent: 50 }] } };


const stateDir = (): string => env.stateDir;
const fileOn = (name: string): Promise<string> => sshRun(env.fleet, `host${Number(name.slice(1))}`, 'cat /srv/ctl/managed.txt');
const records = async (): Promise<HostRecord[]> => Promise.all(names.map(async (n) => (await hostRecord(stateDir(), n))!));

async function metric(name: string): Promise<{ labels: Record<string, string>; value: number }[]> {
  const text = await (await fetch(metricsUrl)).text();
  return parseExposition(text).filter((s) => s.name === name).map(({ labels, value }) => ({ labels, value }));
}

describe('staged rollout with a canary wave', () => {
  it('rolls the first commit out wave by wave: canary, then 50% of the rest in name order, then the rest', async () => {
    const first = await env.remote.commit({ ...repoFiles({ canary, drover: policy }), ...hostFiles(env.fleet.hosts, 'good v1\n') }, 'first');
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    ctl = await env.start({ extra: { concurrency: 10, metricsListen: `127.0.0.1:${port}` } });
    for (const n of names) await waitForHost(ctl, n, (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(first), 'synced at the first commit');
    const [lane] = loadRollouts(stateDir());
    expect(lane?.waves.map((w) => [w.name, w.hosts])).toEqual([
      ['canary', ['h03', 'h07']], ['wave-2', ['h01', 'h02', 'h04', 'h05']], ['rest', ['h06', 'h08', 'h09', 'h10']],
    ]);
    // Each wave started only after the previous one had finished.
    const byHost = new Map((await records()).map((r) => [r.host, r.history.find((h) => h.revision === revisionOf(first))!]));
    for (let w = 1; w < lane!.waves.length; w++) {
      const previousEnd = Math.max(...lane!.waves[w - 1]!.hosts.map((h) => byHost.get(h)!.endedAt!));
      for (const h of lane!.waves[w]!.hosts) expect(byHost.get(h)!.startedAt, `${h} started after wave ${w}`).toBeGreaterThanOrEqual(previousEnd);
    }
  });

  it('halts when the canary wave fails its health check: the other 8 hosts stay on the previous revision', async () => {
    const bad = await env.remote.commit(hostFiles(env.fleet.hosts, 'broken v2\n'), 'bad');
    for (const n of canary) {
      const r = await waitForHost(ctl!, n, (x) => x.status === 'Failed' && x.lastAttemptedRevision === revisionOf(bad), 'failed the health check');
      // The first failure is the apply's check (E_STEP_FAILED); a retry may have come already, which finds the
      // host in sync and fails its check again (E_TEST_FAILED): the canary hosts are retried while the others wait.
      expect(r.lastError?.step).toBe('test_check_good');
      expect(['E_STEP_FAILED', 'E_TEST_FAILED']).toContain(r.lastError?.code);
    }
    await ctl!.waitFor(async () => loadRollouts(stateDir())[0]?.halted, 'the rollout halted');
    for (const n of others) {
      const r = (await hostRecord(stateDir(), n))!;
      expect(r.history.some((h) => h.revision === revisionOf(bad)), `${n} never ran for the bad commit`).toBe(false);
      expect(await fileOn(n)).toBe('good v1\n');
    }
    const shown = await runDrover(['hosts', '--state-dir', stateDir(), '--output', 'json']);
    const body = JSON.parse(shown.stdout) as { hosts: { host: string; status: string; reason: string }[]; rollouts: { phase: string; halted?: string }[] };
    expect(body.rollouts).toEqual([expect.objectContaining({ phase: 'Halted', halted: expect.stringMatching(/^wave canary \(1\/3\): 2 of 2 hosts failed, budget 0: h03 \(E_STEP_FAILED at test_check_good\); h07/) })]);
    for (const h of body.hosts.filter((x) => others.includes(x.host))) {
      expect(h.status).toBe('OutOfSync');
      expect(h.reason).toMatch(/^RolloutHalted: wave canary/);
    }
    const text = await runDrover(['hosts', '--state-dir', stateDir()]);
    expect(text.stdout).toMatch(/rollout default: Halted, wave 1\/3 canary of main@sha1:[0-9a-f]{40}: wave canary/);
    // Over the HTTP API, each host says why it is not on the bad commit: the halted wave, or its own failure.
    const listening = await ctl!.waitForEvent((e) => typeof e.url === 'string' && e.msg.startsWith('HTTP API listening'), 'the HTTP listener');
    const { hosts } = (await (await fetch(`${listening.url as string}/api/v1/hosts`)).json()) as { hosts: HostView[] };
    for (const h of hosts) {
      // A canary host is failing, or on a retry right now.
      if (canary.includes(h.host)) expect(['failed', 'running'], h.host).toContain(h.blockedBy?.kind);
      else expect(h.blockedBy, h.host).toMatchObject({ kind: 'wave', phase: 'Halted', current: 1, revision: revisionOf(bad), reason: `rollout of ${revisionOf(bad)} halted at wave 1; lane default` });
    }
    expect(await metric('drover_rollout_halted')).toEqual([{ labels: { lane: 'default' }, value: 1 }]);
    expect(await metric('drover_rollout_wave')).toEqual([{ labels: { lane: 'default' }, value: 1 }]);
  });

  it('resumes on a fixing commit: every host converges to it', async () => {
    const fixed = await env.remote.commit(hostFiles(env.fleet.hosts, 'good v3\n'), 'fix');
    for (const n of names) await waitForHost(ctl!, n, (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(fixed), 'synced at the fix');
    for (const n of names) expect(await fileOn(n)).toBe('good v3\n');
    expect(loadRollouts(stateDir())[0]).toMatchObject({ revision: revisionOf(fixed), current: 3 });
    expect(await metric('drover_rollout_halted')).toEqual([{ labels: { lane: 'default' }, value: 0 }]);
  });

  it('drover rollout resume lets the later waves go on after a canary-only failure', async () => {
    const refused = await runDrover(['rollout', 'resume', '--state-dir', stateDir()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/no halted rollout/);
    // The same request over HTTP (POST /api/v1/rollout/resume): 409 E_ROLLOUT_NOT_HALTED, exit 1.
    const listening = await ctl!.waitForEvent((e) => typeof e.url === 'string' && e.msg.startsWith('HTTP API listening'), 'the HTTP listener');
    const url = listening.url as string;
    const refusedHttp = await runDrover(['rollout', 'resume', '--controller', url]);
    expect(refusedHttp.code).toBe(1);
    expect(refusedHttp.stderr).toMatch(/^drover: no rollout is halted; nothing to resume \(POST \/api\/v1\/rollout\/resume, HTTP 409\)$/m);
    const next = await env.remote.commit(hostFiles(env.fleet.hosts, (n) => (canary.includes(n) ? 'broken v4\n' : 'good v4\n')), 'canary breaks');
    await ctl!.waitFor(async () => loadRollouts(stateDir())[0]?.halted && loadRollouts(stateDir())[0]?.revision === revisionOf(next), 'halted at v4');
    for (const n of others) expect(await fileOn(n)).toBe('good v3\n');
    const resumed = await runDrover(['rollout', 'resume', '--controller', url]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/rollout default: resumed; wave wave-2 of main@sha1:/);
    for (const n of others) await waitForHost(ctl!, n, (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(next), 'synced at v4 after the resume');
    for (const n of others) expect(await fileOn(n)).toBe('good v4\n');
    for (const n of canary) {
      // Retried with backoff, each retry finds it in sync and runs its checks again: it never passes.
      const r = await waitForHost(ctl!, n, (x) => x.status === 'Failed' && x.history.filter((h) => h.revision === revisionOf(next)).length >= 2, 'failed again on a retry');
      expect(r.history.filter((h) => h.revision === revisionOf(next)).map((h) => h.result)).toEqual(r.history.filter((h) => h.revision === revisionOf(next)).map(() => 'failed'));
      expect(r.lastError).toMatchObject({ code: 'E_TEST_FAILED', step: 'test_check_good' });
    }
    // The event log (GET /api/v1/events) tells the halt, the resume and the failing canaries, once each.
    const page = await (await fetch(`${url}/api/v1/events?type=rollout.*,host.failed,revision.finished`)).json() as { events: { type: string; revision: string; lane?: string; host?: string; wave?: string; state?: string }[] };
    const at = page.events.filter((e) => e.revision === revisionOf(next)).map((e) => [e.type, e.lane ?? e.host ?? e.state, e.wave]);
    expect(at.filter(([t]) => t?.startsWith('rollout.'))).toEqual([['rollout.halted', 'default', 'canary'], ['rollout.resumed', 'default', 'wave-2']]);
    expect(at.filter(([t]) => t === 'host.failed').map(([, h]) => h).sort()).toEqual(canary);
    expect(at.filter(([t]) => t === 'revision.finished')).toEqual([['revision.finished', 'failure', undefined]]);
  });
});
