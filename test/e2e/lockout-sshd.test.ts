/**
 * A broken sshd config on a real systemd host, through the built CLI, both ways it can break:
 * - an option sshd does not know: the restart (its handler) fails, so the run itself puts the config back
 *   and starts sshd again (E_STEP_FAILED, "restored"): never locked out;
 * - a config sshd accepts that shuts drover out (`DenyUsers root`): the restart succeeds, `drover reconcile`
 *   cannot confirm the run over a new connection, and the lockout guard on the host puts the config back and
 *   restarts ssh by itself (after `systemctl reset-failed`); reconcile reports E_LOCKED_OUT with what was put
 *   back and exits 3.
 * A fixing commit converges and a second run changes nothing.
 * Needs `npm run build` (bin/drover.js -> dist/).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { HostResult } from '../../controller/reconcile/types.js';
import { useFleet } from '../support/fleet.js';
import { reconcileJson } from './reconcile-json.js';
import { sshRun } from '../support/ssh.js';

const CONFIG = '/etc/ssh/drover/sshd_config';
const env = useFleet({ count: 1, systemd: true, name: 'e2e-lock-sshd' });
let dir: string;
let original: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-lock-sshd-'));
  await mkdir(join(dir, 'hosts'), { recursive: true });
  original = await sshRun(env.fleet, 'host1', `cat ${CONFIG}`);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** hosts/web1.yaml: the sshd config `content`, restarting ssh when it changes; guard confirmWithin 3s. */
async function declare(content: string): Promise<void> {
  const host = env.fleet.hosts[0]!;
  await writeFile(join(dir, 'hosts/web1.yaml'), stringify({
    address: host.address, port: host.port, confirmWithin: '3s',
    resources: [
      { kind: 'file', path: CONFIG, content, mode: '0644', notify: ['service:ssh'] },
      { kind: 'service', name: 'ssh', state: 'running' },
    ],
  }));
}

async function reconcile(): Promise<{ code: number | null; host: HostResult; stderr: string }> {
  const run = await reconcileJson(dir, env.fleet);
  return { ...run, host: run.hosts[0]! };
}

describe('the lockout guard: a broken sshd config on a systemd host', () => {
  it('an option sshd does not know: the failed restart makes the run put the config back and start sshd (exit 3)', async () => {
    await declare(`${original}ThisIsNotAnSshdOption yes\n`);
    const run = await reconcile();
    expect(run.code, run.stderr).toBe(3);
    expect(run.host.error, JSON.stringify(run.host.error)).toMatchObject({ code: 'E_STEP_FAILED', step: 'restart_ssh', message: expect.stringContaining(`restored ${CONFIG}`) });
    expect(await sshRun(env.fleet, 'host1', `cat ${CONFIG}; systemctl is-active ssh`)).toBe(`${original}active\n`);
  });

  it('a config that shuts drover out (DenyUsers root) is undone by the host: put back, ssh restarted, E_LOCKED_OUT (exit 3)', async () => {
    await declare(`DenyUsers root\n${original}`);
    const run = await reconcile();
    expect(run.code, run.stderr).toBe(3);
    expect(run.host.error?.code, JSON.stringify(run.host.error)).toBe('E_LOCKED_OUT');
    expect(run.host.error?.message).toMatch(/could not be confirmed over a new SSH connection within 3s/);
    expect(run.host.error?.message).toContain(`put back ${CONFIG}`);
    // sshd is back, on the old config (a new connection works: sshRun opens one).
    expect(await sshRun(env.fleet, 'host1', `cat ${CONFIG}; systemctl is-active ssh`)).toBe(`${original}active\n`);
  });

  it('a fixing commit converges, and a second run changes nothing', async () => {
    await declare(`${original}# managed by drover\n`);
    const fixed = await reconcile();
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.host.outcome).toBe('applied');
    expect(await sshRun(env.fleet, 'host1', `tail -1 ${CONFIG}; systemctl is-active ssh`)).toBe('# managed by drover\nactive\n');
    const again = await reconcile();
    expect(again.code, again.stderr).toBe(0);
    expect(again.host.outcome).toBe('in-sync');
  });
});
