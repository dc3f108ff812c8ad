/**
 * The state dir's filesystem full (a small tmpfs filled to the last block) under a real controller:
 * runs that cannot record their start do not start, /readyz answers 503 and drover_state_writable is 0
 * while writes fail, and once space is freed everything recovers by itself: the host converges, no
 * record is left Progressing, nothing is applied twice.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshRun } from '../../support/ssh.js';
import { request, startHttpControllerIn, type HttpController } from '../http/support.js';
import { hostFile, hostRecord, useControllerEnv, waitForHost } from './support.js';

const run = promisify(execFile);
const env = useControllerEnv({ count: 1, name: 'ctl-state-full' });
let ctl: HttpController;
let mount: string;
const stateDir = (): string => join(mount, 'state');

beforeAll(async () => {
  mount = join(env.dir, 'small');
  await mkdir(mount);
  await run('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mount]);
  env.onTeardown(() => run('umount', ['-l', mount]));
  await env.remote.commit({ 'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'declared\n') });
  ctl = await startHttpControllerIn(env, {
    stateDir: stateDir(),
    extra: { source: { url: env.remote.bare, branch: 'main', interval: '1h' }, retry: { baseSeconds: 0.2, maxSeconds: 0.5 } },
  });
  await waitForHost(ctl, 'web1', (r) => r.status === 'Synced', 'synced');
});

afterAll(async () => {
  await ctl?.stop();
});

/** Fills the tmpfs to its last block; resolves with the filler's path (remove it to free the space). */
async function fill(): Promise<string> {
  const filler = join(mount, 'filler');
  await run('sh', ['-c', `dd if=/dev/zero of=${filler} bs=64k 2>/dev/null; true`]);
  return filler;
}

async function metric(name: string): Promise<string | undefined> {
  const answer = await request(`${ctl.url}/metrics`);
  return new RegExp(`^${name} (\\S+)$`, 'm').exec(answer.text)?.[1];
}

describe('drover controller: the state dir full', () => {
  it('refuses to start runs it cannot record, says so, and recovers by itself once there is space', async () => {
    await sshRun(env.fleet, 'host1', 'echo by-hand > /srv/ctl/managed.txt');
    const filler = await fill();
    expect((await stat(filler)).size).toBeGreaterThan(0);
    const synced = await request(`${ctl.url}/api/v1/sync`, { method: 'POST', token: true, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hosts: ['web1'] }) });
    expect(synced.status).toBe(202);
    const notReady = await ctl.waitFor(async () => {
      const r = await request(`${ctl.url}/readyz`);
      return r.status === 503 ? r : undefined;
    }, '/readyz to say the state cannot be written');
    expect(notReady.text).toMatch(/the state cannot be written .*ENOSPC/);
    expect(await metric('drover_state_writable')).toBe('0');
    expect(Number(await metric('drover_state_write_failures_total'))).toBeGreaterThan(0);
    // No run started: the host was not touched, and it is not left Progressing in memory.
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('by-hand\n');
    // Between its attempts the host is not left Progressing, and it stays queued for the next one.
    const between = await ctl.waitFor(async () => {
      const view = (await request(`${ctl.url}/api/v1/hosts/web1`, { token: true })).json as { status: string };
      const status = (await request(`${ctl.url}/api/v1/status`, { token: true })).json as { queue: { waiting: number; queued: number; processing: number } };
      return view.status !== 'Progressing' ? { view, queue: status.queue } : undefined;
    }, 'web1 between two attempts');
    expect(between.queue.waiting + between.queue.queued + between.queue.processing).toBeGreaterThan(0);
    expect(ctl.events.some((e) => String(e.msg).includes('worker error'))).toBe(false);

    await rm(filler);
    const repaired = await waitForHost(ctl, 'web1', (r) => r.status === 'Synced' && r.history[0]?.result === 'applied' && r.history[0].trigger !== 'revision', 'repaired once writes succeed');
    expect(repaired.running).toBeUndefined();
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('declared\n');
    expect((await request(`${ctl.url}/readyz`)).status).toBe(200);
    expect(await metric('drover_state_writable')).toBe('1');
    // Applied once: one applied run, and no temp files of failed writes left behind.
    expect((await hostRecord(stateDir(), 'web1'))?.history.filter((r) => r.result === 'applied' && r.trigger !== 'revision')).toHaveLength(1);
    expect((await readdir(join(stateDir(), 'hosts'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
