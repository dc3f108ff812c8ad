/**
 * One controller per state dir: a second `drover controller` on the same state dir refuses to start,
 * naming the holder (pid, address), and changes nothing; a SIGKILLed holder leaves no lock that stops
 * the next controller.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { poll } from '../../support/poll.js';
import { startHttpControllerIn, type HttpController } from '../http/support.js';
import { hostFile, useControllerEnv, waitForHost } from './support.js';

const env = useControllerEnv({ count: 1, name: 'ctl-lock' });
let first: HttpController;

beforeAll(async () => {
  await env.remote.commit({ 'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'one\n') });
  first = await startHttpControllerIn(env);
  await waitForHost(first, 'web1', (r) => r.status === 'Synced', 'synced');
});

describe('drover controller: the state dir lock', () => {
  it('a second controller on the same state dir refuses to start, naming the holder, and changes nothing', async () => {
    const before = await readFile(join(env.stateDir, 'hosts', 'web1.json'), 'utf8');
    const second = await startHttpControllerIn(env).catch((err: unknown) => err as Error);
    const exited = second instanceof Error ? undefined : await second.exited;
    const stderr = second instanceof Error ? second.message : second.stderr();
    expect(exited ?? 1).toBe(1);
    expect(stderr).toContain(`is in use by another drover controller (pid ${first.child.pid}`);
    expect(stderr).toContain(`API ${first.url}`);
    expect(await readFile(join(env.stateDir, 'hosts', 'web1.json'), 'utf8')).toBe(before);
    expect(await readdir(env.stateDir)).toContain('controller.lock');
  });

  it('a SIGKILLed holder does not leave the state dir locked', async () => {
    first.child.kill('SIGKILL');
    await first.exited;
    const next = await startHttpControllerIn(env);
    await waitForHost(next, 'web1', (r) => r.status === 'Synced', 'synced after the takeover');
    const lock = await poll('the API address in the lock', async () => {
      const holder = JSON.parse(await readFile(join(env.stateDir, 'controller.lock'), 'utf8')) as { pid: number; address?: string };
      return holder.address === undefined ? undefined : holder;
    });
    expect(lock).toMatchObject({ pid: next.child.pid, address: next.url });
    expect(await next.stop()).toBe(0);
    expect(await readdir(env.stateDir)).not.toContain('controller.lock');
  });
});
