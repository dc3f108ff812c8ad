/**
 * `drover sync`, `drover suspend|resume` and `drover hosts --controller` against a real controller,
 * real fleet hosts (plus one host nobody answers for) and a real Git remote: exit codes as
 * `drover reconcile` gives them, concurrent syncs coalesced into fewer runs (never two at once),
 * and suspend/resume kept across a controller restart.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runDrover } from '../../integration/cli/run-cli.js';
import { sshRun } from '../../support/ssh.js';
import { hostFile, hostRecord, waitForHost, useControllerEnv } from '../controller/support.js';
import { postJson, request, startHttpControllerIn, type HttpController } from './support.js';

const env = useControllerEnv({ count: 2, name: 'http-sync' });
let ctl: HttpController;
const stateDir = (): string => join(env.dir, 'state');
// No polling, no drift checks, a breaker that stays closed: every run below is one the test asked for.
const extra = (): Record<string, unknown> => ({ source: { url: env.remote.bare, branch: 'main', interval: '1h' }, circuitBreaker: { failures: 1000, cooldownSeconds: 1 } });

beforeAll(async () => {
  await env.remote.commit({
    'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'one\n'),
    'hosts/web2.yaml': hostFile(env.fleet.hosts[1]!, 'one\n'),
    // Nothing listens on port 1: this host is always unreachable.
    'hosts/down1.yaml': stringify({ address: '127.0.0.1', port: 1, resources: [{ kind: 'directory', path: '/srv/ctl' }] }),
  });
  ctl = await startHttpControllerIn(env, { extra: extra() });
  for (const name of ['web1', 'web2']) await waitForHost(ctl, name, (r) => r.status === 'Synced', 'synced');
});

const drover = (args: string[]) => runDrover(args, { cwd: env.dir, env: { DROVER_URL: ctl.url, DROVER_TOKEN_FILE: join(env.dir, 'api-token') } });

describe('drover sync --wait', () => {
  it('exits 0 when the hosts are in sync', async () => {
    const run = await drover(['sync', '--wait', '--host', 'web1', '--host', 'web2']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^sync sync-\S+ queued\n/);
    expect(run.stderr).toMatch(/web1: in-sync/);
    expect(run.stdout).toMatch(/web2\s+in-sync\s+main@sha1:/);
  });

  it('exits 2 on a dry run that finds drift, then 0 once a sync repaired it', async () => {
    await sshRun(env.fleet, 'host1', 'echo edited > /srv/ctl/managed.txt');
    const dry = await drover(['sync', '--wait', '--dry-run', '--host', 'web1']);
    expect(dry.code, dry.stderr).toBe(2);
    expect(dry.stdout).toMatch(/web1\s+drift/);
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('edited\n');
    const apply = await drover(['sync', '--wait', '--host', 'web1']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toMatch(/web1\s+applied/);
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('one\n');
  });

  it('exits 3 when hosts fail, some or all of them', async () => {
    const all = await drover(['sync', '--wait']);
    expect(all.code, all.stderr).toBe(3);
    expect(all.stdout).toMatch(/down1\s+unreachable/);
    expect(all.stdout).toMatch(/web1\s+in-sync/);
    const one = await drover(['sync', '--wait', '--host', 'down1']);
    expect(one.code, one.stderr).toBe(3);
  });

  it('exits 1 naming an unknown host, and 1 when no controller answers', async () => {
    const unknown = await drover(['sync', '--wait', '--host', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown host "nope"/);
    const away = await runDrover(['sync', '--controller', 'http://127.0.0.1:1'], { cwd: env.dir });
    expect(away.code).toBe(1);
    expect(away.stderr).toMatch(/cannot reach the controller at http:\/\/127\.0\.0\.1:1/);
  });
});

describe('concurrent syncs', () => {
  it('coalesce: ten syncs of one host at once run it fewer times, never twice at once, and all finish', async () => {
    const before = (await hostRecord(stateDir(), 'web2'))!.history.length;
    const answers = await Promise.all(Array.from({ length: 10 }, () => postJson(`${ctl.url}/api/v1/sync`, { hosts: ['web2'] })));
    const ids = answers.map((a) => {
      expect(a.status).toBe(202);
      return (a.json as { runId: string }).runId;
    });
    expect(new Set(ids).size).toBe(10);
    for (const id of ids) {
      await ctl.waitFor(async () => {
        const run = (await request(`${ctl.url}/api/v1/runs/${id}`, { token: true })).json as { state: string; hosts: Record<string, { result?: string }> };
        return run.state === 'done' ? run : undefined;
      }, `run ${id} done`).then((run) => expect(run.hosts.web2?.result).toBe('in-sync'));
    }
    const history = (await hostRecord(stateDir(), 'web2'))!.history;
    const runs = history.length - before;
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(runs).toBeLessThan(10);
    const newest = history.slice(0, runs).reverse();
    for (let i = 1; i < newest.length; i++) expect(newest[i]!.startedAt).toBeGreaterThanOrEqual(newest[i - 1]!.endedAt!);
  });
});

describe('suspend and resume', () => {
  it('persist across a controller restart', async () => {
    const suspended = await drover(['suspend', 'web2']);
    expect(suspended.code, suspended.stderr).toBe(0);
    expect(suspended.stdout).toMatch(/^web2: suspended \(status Suspended/);
    const refused = await drover(['sync', '--host', 'web2']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/web2 is suspended; resume first/);

    await restart();
    const afterRestart = await drover(['hosts', '--controller', ctl.url, '--token-file', join(env.dir, 'api-token'), '--output', 'json']);
    const hosts = (JSON.parse(afterRestart.stdout) as { hosts: { host: string; status: string; suspended: boolean }[] }).hosts;
    expect(hosts.find((h) => h.host === 'web2')).toMatchObject({ status: 'Suspended', suspended: true });
    expect((await drover(['hosts', '--controller', ctl.url])).stdout).toMatch(/web2\s+Suspended/);

    const resumed = await drover(['resume', 'web2']);
    expect(resumed.code, resumed.stderr).toBe(0);
    await restart();
    const web2 = (await request(`${ctl.url}/api/v1/hosts/web2`, { token: true })).json as { suspended: boolean; status: string };
    expect(web2.suspended).toBe(false);
    expect(web2.status).not.toBe('Suspended');
    const sync = await drover(['sync', '--wait', '--host', 'web2']);
    expect(sync.code, sync.stderr).toBe(0);
  });
});

/** Stops the controller and starts it again on the same state; resolves once it is ready. */
async function restart(): Promise<void> {
  expect(await ctl.stop()).toBe(0);
  ctl = await startHttpControllerIn(env, { extra: extra() });
  await ctl.waitFor(async () => (await request(`${ctl.url}/readyz`)).status === 200, 'ready after the restart');
}
