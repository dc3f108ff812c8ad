/**
 * The controller in-process (startController, its real API, real git, real fleet hosts): many
 * triggers at once never give two runs of one host at a time, they coalesce and are counted; a
 * dry-run sync plans only; suspend persists across a restart and resume reconciles again.
 */
import { describe, expect, it } from 'vitest';
import type { RunningController } from '../../../controller/daemon/controller.js';
import { sshRun } from '../../support/ssh.js';
import { poll } from '../../support/poll.js';
import { hostFile, revisionOf, startLiveController, useControllerEnv, WITHIN_A_TEST } from './support.js';
import { stringify } from 'yaml';

const env = useControllerEnv({ count: 2, name: 'ctl-triggers' });
let controller: RunningController | undefined;
const names = ['web1', 'web2'];
const active = new Map<string, number>();
const overlaps: string[] = [];
const finished: { host: string; runId: string; result: string }[] = [];
const onStart: ((host: string, revision: string) => void)[] = [];

async function start(): Promise<RunningController> {
  const { controller } = await startLiveController(env, {
    runStarted: (host, run) => {
      for (const listener of onStart) listener(host, run.revision);
      active.set(host, (active.get(host) ?? 0) + 1);
      if (active.get(host)! > 1) overlaps.push(host);
    },
    runFinished: (host, run, result) => {
      active.set(host, active.get(host)! - 1);
      finished.push({ host, runId: run.id, result: result.outcome });
    },
  });
  return controller;
}

env.onTeardown(async () => controller?.stop());

describe('controller API and queue', () => {
  it('never runs one host twice at once under many triggers, coalesces them, and counts them', async () => {
    const commit = await env.remote.commit(Object.fromEntries(names.map((n, i) => [`hosts/${n}.yaml`, hostFile(env.fleet.hosts[i]!, 'v1\n')])));
    controller = await start();
    await poll('both hosts Synced at the commit', () => controller!.hosts().every((h) => h.status === 'Synced' && h.lastAppliedRevision === revisionOf(commit)) && controller!.hosts().length === 2, WITHIN_A_TEST);
    const before = controller.status().queue;
    const ids: string[] = [];
    const fetches: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) {
      ids.push(controller.sync({ hosts: i % 3 === 0 ? ['web1'] : undefined }).runId);
      if (i % 10 === 0) fetches.push(controller.triggerFetch());
    }
    await Promise.all(fetches);
    const runs = await poll('every sync done', () => {
      const all = ids.map((id) => controller!.run(id)!);
      return all.every((r) => r.state === 'done') ? all : undefined;
    }, WITHIN_A_TEST);
    expect(overlaps).toEqual([]);
    const counts = controller.status().queue;
    expect(counts.adds - before.adds).toBeGreaterThanOrEqual(34 + 66 * 2);
    const started = finished.length;
    expect(counts.coalescedAdds - before.coalescedAdds).toBeGreaterThan(0);
    // Every sync got a result for each of its hosts, from far fewer runs than triggers.
    for (const run of runs) for (const h of Object.values(run.hosts)) expect(h.result).toBe('in-sync');
    expect(started).toBeLessThan(34 + 66 * 2);
  });

  it('plans only on a dry-run sync', async () => {
    await sshRun(env.fleet, 'host1', 'echo drifted > /srv/ctl/managed.txt');
    const { runId } = controller!.sync({ hosts: ['web1'], dryRun: true });
    const run = await poll('the dry run done', () => controller!.run(runId), { ...WITHIN_A_TEST, until: (r) => r?.state === 'done' });
    expect(run?.hosts.web1?.result).toBe('drift');
    expect(controller!.host('web1')?.status).toBe('OutOfSync');
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('drifted\n');
    expect(() => controller!.sync({ hosts: ['web9'] })).toThrow(/unknown host "web9"/);
  });

  it('reconciles a commit pushed during a run right after that run', async () => {
    const slow = (marker: string, text: string) => stringify({
      address: env.fleet.hosts[1]!.address,
      resources: [
        { kind: 'directory', path: '/srv/ctl' },
        { kind: 'command', name: 'slow', run: `sleep 1 && touch /srv/ctl/${marker}`, creates: `/srv/ctl/${marker}` },
        { kind: 'file', path: '/srv/ctl/managed.txt', content: text },
      ],
    });
    const started = new Promise<void>((resolve) => onStart.push((host, revision) => { if (host === 'web2' && revision === revisionOf(first)) resolve(); }));
    const first = await env.remote.commit({ 'hosts/web2.yaml': slow('one', 'during one\n') }, 'slow one');
    await controller!.triggerFetch();
    await started;
    const second = await env.remote.commit({ 'hosts/web2.yaml': slow('two', 'during two\n') }, 'pushed during the run');
    await controller!.triggerFetch();
    const done = await poll('web2 Synced at the second commit', () => {
      const h = controller!.host('web2');
      return h?.lastAppliedRevision === revisionOf(second) && h.status === 'Synced' ? h : undefined;
    }, WITHIN_A_TEST);
    const [latest, previous] = done.history;
    expect(previous).toMatchObject({ revision: revisionOf(first), result: 'applied', trigger: 'revision' });
    expect(latest).toMatchObject({ revision: revisionOf(second), result: 'applied', trigger: 'revision' });
    expect(latest!.startedAt).toBeGreaterThanOrEqual(previous!.endedAt!);
    expect(overlaps).toEqual([]);
    expect(await sshRun(env.fleet, 'host2', 'cat /srv/ctl/managed.txt; ls /srv/ctl')).toBe('during two\nmanaged.txt\none\ntwo\n');
  });

  it('keeps a host suspended across a restart, and resume reconciles it', async () => {
    await controller!.suspend('web1');
    const skipped = controller!.sync({ hosts: ['web1'] }).runId;
    expect((await poll('the sync of the suspended host done', () => controller!.run(skipped), { ...WITHIN_A_TEST, until: (r) => r?.state === 'done' }))?.hosts.web1?.result).toBe('skipped');
    await controller!.stop();
    controller = await start();
    await poll('the restarted controller ready', () => controller!.status().ready, WITHIN_A_TEST);
    expect(controller.host('web1')?.status).toBe('Suspended');
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('drifted\n');
    await controller.resume('web1');
    await poll('web1 Synced after resume', () => controller!.host('web1')?.status === 'Synced', WITHIN_A_TEST);
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('v1\n');
  });
});
