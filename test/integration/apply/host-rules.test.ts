/**
 * Rules an apply keeps on a real host (issue 11): it refuses a host without flock or `setsid -w` before
 * changing anything; it removes the run dirs of dead runs (never a live one); cron runs a command with `%`
 * as written; an undeclared owner/group/mode is left alone (after a `chown` by hand the plan is in sync); a file's
 * missing parent is created; repositories keep an inventory each; a git resource's `knownHosts` are verified.
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../../controller/apply/execute.js';
import { observeHost } from '../../../controller/facts/observe.js';
import { planHost } from '../../../controller/plan/plan-host.js';
import { DroverError } from '../../../manifests/errors.js';
import { cronCommandOf } from '../../support/cron.js';
import { desiredState, file, resource } from '../../support/desired.js';
import { useFleetHost } from '../../support/fleet.js';
import { converge, sh } from './support.js';

const host = useFleetHost({ count: 2, name: 'apply-host-rules' });

/** The error an apply of `desired` throws (or undefined). */
async function applyError(desired: ReturnType<typeof desiredState>): Promise<unknown> {
  try {
    await converge(desired, host.ssh);
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('tools an apply needs', () => {
  it.each([['flock', 'flock'], ['setsid', 'setsid -w']])('a host without %s is refused with a clear error, and nothing changes', async (tool, named) => {
    const path = (await sh(host.ssh, `command -v ${tool}`)).trim();
    await sh(host.ssh, `mv ${path} ${path}.off`);
    try {
      const error = await applyError(desiredState('host1', [file('/srv/no-tool.txt', 'x\n')]));
      expect(error).toBeInstanceOf(DroverError);
      expect((error as DroverError).code).toBe('E_HOST_UNSUPPORTED');
      expect((error as DroverError).kind).toBe('stalled');
      expect((error as DroverError).message).toContain(`host1: this host has no ${named}, which drover needs`);
      expect((error as DroverError).message).toContain('install util-linux');
      expect(await sh(host.ssh, 'ls /srv/no-tool.txt 2>&1 || true')).toContain('No such file');
    } finally {
      await sh(host.ssh, `mv ${path}.off ${path}`);
    }
  });
});

describe('run dirs', () => {
  it('removes the run dirs a reboot left behind, never the dir of a live run', async () => {
    await sh(host.ssh, 'mkdir -p /var/lib/drover/.run-droverdead01/u /var/lib/drover/.run-droverdead02 && echo x > /var/lib/drover/.run-droverdead01/run.sh');
    const blocker = resource('command', 'wait-for-go', { name: 'wait-for-go', run: 'while [ ! -e /tmp/go ]; do sleep 0.05; done', always: true });
    const desired = desiredState('host1', [blocker]);
    const observed = await observeHost(desired, host.ssh);
    const live = applyPlan({ desired, observed, plan: planHost(desired, observed), transport: host.ssh });
    // The first run removed the stale dirs, and its own dir is there while it waits.
    await expect.poll(() => sh(host.ssh, 'ls -A /var/lib/drover | grep "^\\.run-" || true'), { timeout: 10_000, interval: 50 }).toMatch(/^\.run-drover[0-9a-f]{24}\n$/);
    const liveDir = (await sh(host.ssh, 'ls -A /var/lib/drover | grep "^\\.run-"')).trim();
    // A second apply meanwhile is refused as busy and leaves the live run's dir alone.
    const busy = await applyError(desiredState('host1', [file('/srv/second.txt', 'x\n')]));
    expect((busy as DroverError).code).toBe('E_APPLY_BUSY');
    expect((await sh(host.ssh, 'ls -A /var/lib/drover | grep "^\\.run-"')).trim()).toBe(liveDir);
    await sh(host.ssh, 'touch /tmp/go');
    expect((await live).ok).toBe(true);
    expect(await sh(host.ssh, 'ls -A /var/lib/drover | grep -c "^\\.run-" || true')).toBe('0\n');
  });
});

describe('cron', () => {
  it('writes a command holding % so that cron runs it as written', async () => {
    const command = "printf '%s|%s\\n' \"$(date +%Y)\" done > /tmp/cron-out";
    const job = resource('cron', 'report', { name: 'report', schedule: '*/5 * * * *', command });
    const { result } = await converge(desiredState('host1', [job]), host.ssh);
    expect(result.ok).toBe(true);
    const line = (await sh(host.ssh, 'tail -n 1 /etc/cron.d/drover-report')).replace(/\n$/, '');
    expect(line).toBe(`*/5 * * * * root printf '\\%s|\\%s\\n' "$(date +\\%Y)" done > /tmp/cron-out`);
    const run = cronCommandOf(line.slice('*/5 * * * * root '.length));
    expect(run).toEqual({ command, stdin: undefined });
    await sh(host.ssh, run.command);
    expect(await sh(host.ssh, 'cat /tmp/cron-out')).toBe(`${new Date().getUTCFullYear()}|done\n`);
    expect((await converge(desiredState('host1', [job]), host.ssh)).plan.inSync).toBe(true);
  });
});

describe('undeclared owner, group and mode', () => {
  const dir = resource('directory', '/srv/own', { path: '/srv/own' });
  const conf = (text: string, spec: Record<string, unknown> = {}) => file('/srv/own/app.conf', text, spec);

  it('are left alone: created as the connecting user, then not compared or changed', async () => {
    expect((await converge(desiredState('host1', [dir, conf('v1\n')]), host.ssh)).result.ok).toBe(true);
    expect(await sh(host.ssh, 'stat -c "%U:%G %a" /srv/own /srv/own/app.conf')).toBe('root:root 755\nroot:root 644\n');
    await sh(host.ssh, 'chown nobody:nogroup /srv/own /srv/own/app.conf && chmod 0600 /srv/own/app.conf');
    const inSync = await converge(desiredState('host1', [dir, conf('v1\n')]), host.ssh);
    expect(inSync.plan.inSync).toBe(true);
    const changed = await converge(desiredState('host1', [dir, conf('v2\n')]), host.ssh);
    expect(changed.plan.steps.find((s) => s.resource === 'file:/srv/own/app.conf' && s.phase === 'regen')?.reasons).toEqual([expect.stringMatching(/^content sha256/)]);
    expect(await sh(host.ssh, 'cat /srv/own/app.conf; stat -c "%U:%G %a" /srv/own /srv/own/app.conf')).toBe('v2\nnobody:nogroup 755\nnobody:nogroup 600\n');
  });

  it('once declared, are compared and put back', async () => {
    const declared = desiredState('host1', [dir, conf('v2\n', { owner: 'root', group: 'root', mode: '0644' })]);
    const { plan, result } = await converge(declared, host.ssh);
    expect(plan.steps.find((s) => s.resource === 'file:/srv/own/app.conf' && s.phase === 'regen')?.reasons).toEqual(['mode 0600 -> 0644', 'owner nobody -> root', 'group nogroup -> root']);
    expect(result.ok).toBe(true);
    expect(await sh(host.ssh, 'stat -c "%U:%G %a" /srv/own/app.conf')).toBe('root:root 644\n');
  });
});

describe('a file whose parent directory is missing', () => {
  it('plans the parent, and apply creates it (0755, like mkdir -p) before writing the file', async () => {
    const deep = file('/srv/deep/a/b/app.conf', 'x = 1\n', { mode: '0640' });
    const { plan, result } = await converge(desiredState('host1', [deep]), host.ssh);
    expect(plan.steps.find((s) => s.resource === deep.id)?.reasons).toEqual([
      'file absent -> content sha256 ' + deep.content!.sha256.slice(0, 8) + ', mode 0640',
      'parent directory /srv/deep/a/b absent -> created (mode 0755, like mkdir -p)',
    ]);
    expect(result.ok).toBe(true);
    expect(await sh(host.ssh, 'stat -c "%n %a %U" /srv/deep /srv/deep/a/b /srv/deep/a/b/app.conf; cat /srv/deep/a/b/app.conf'))
      .toBe('/srv/deep 755 root\n/srv/deep/a/b 755 root\n/srv/deep/a/b/app.conf 640 root\nx = 1\n');
    expect((await converge(desiredState('host1', [deep]), host.ssh)).plan.inSync).toBe(true);
  });

  it('fails the step with the reason when a file is in the way of the parent', async () => {
    await sh(host.ssh, 'mkdir -p /srv/blocked && echo x > /srv/blocked/dir');
    const { plan, result } = await converge(desiredState('host1', [file('/srv/blocked/dir/app.conf', 'y\n')]), host.ssh);
    expect(plan.steps[0]?.reasons).toContain('parent directory /srv/blocked/dir absent -> created (mode 0755, like mkdir -p)');
    expect(result.ok).toBe(false);
    expect(result.steps[0]?.stderr).toMatch(/mkdir: .*\/srv\/blocked\/dir.*File exists|Not a directory/);
  });
});

describe('two repositories with prune on one host', () => {
  const repo = (name: string, resources: ReturnType<typeof file>[]) => {
    const desired = desiredState('host1', resources);
    desired.settings = { ...desired.settings, prune: true, repository: name };
    return desired;
  };

  it('keep an inventory each and never remove what the other manages', async () => {
    const web = repo('web', [file('/srv/web.conf', 'web\n')]);
    const monitoring = repo('monitoring', [file('/srv/monitoring.conf', 'mon\n')]);
    expect((await converge(web, host.ssh)).result.ok).toBe(true);
    const second = await converge(monitoring, host.ssh);
    expect(second.plan.steps.filter((s) => s.phase === 'clean')).toEqual([]);
    expect(second.result.ok).toBe(true);
    const again = await converge(web, host.ssh);
    expect(again.plan.inSync).toBe(true);
    expect(await sh(host.ssh, 'cat /srv/web.conf /srv/monitoring.conf; cat /var/lib/drover/inventory.d/web /var/lib/drover/inventory.d/monitoring'))
      .toBe('web\nmon\n"file:/srv/web.conf"\n"file:/srv/monitoring.conf"\n');
    // Each still prunes its own: web drops its file.
    const dropped = await converge(repo('web', []), host.ssh);
    expect(dropped.plan.steps.filter((s) => s.phase === 'clean').map((s) => s.resource)).toEqual(['file:/srv/web.conf']);
    expect(await sh(host.ssh, 'test -e /srv/web.conf || echo web gone; cat /srv/monitoring.conf')).toBe('web gone\nmon\n');
  });
});

describe('git over SSH from another fleet host', () => {
  let url: string;
  let knownHosts: string[];
  let head: string;

  beforeAll(async () => {
    const server = await host.connect(1);
    try {
      head = (await sh(server, [
        'set -e; rm -rf /srv/repo.git /tmp/w; git init -q --bare /srv/repo.git; git init -q /tmp/w; cd /tmp/w; echo v1 > app.py; git add app.py',
        'git -c user.name=t -c user.email=t@example.com commit -q -m v1; git push -q /srv/repo.git HEAD:refs/heads/main',
        'git -C /srv/repo.git symbolic-ref HEAD refs/heads/main; git rev-parse HEAD',
      ].join('\n'))).trim();
    } finally {
      await server.close();
    }
    await sh(host.ssh, 'mkdir -p -m 0700 /root/.ssh');
    await host.ssh.upload('/root/.ssh/deploy_key', await readFile(host.fleet.clientKeyFile), { mode: '0600' });
    url = `ssh://root@${host.fleet.hosts[1]!.address}/srv/repo.git`;
    knownHosts = (await readFile(host.fleet.knownHostsFile, 'utf8')).split('\n').filter((l) => l.startsWith('127.77.'));
  });

  const checkout = (path: string, hosts: string[]) => resource('git', path, { path, repo: url, ref: 'main', identityFile: '/root/.ssh/deploy_key', knownHosts: hosts });

  it('clones with the declared host keys verified (StrictHostKeyChecking=yes), and resolves the ref in the probe', async () => {
    const { plan, result } = await converge(desiredState('host1', [checkout('/srv/checkout', knownHosts)]), host.ssh);
    expect(plan.steps[0]?.reasons).toEqual([`checkout absent -> clone ${url.replace('root@', '***@')} at main`]);
    expect(result.ok).toBe(true);
    expect((await sh(host.ssh, 'git -C /srv/checkout rev-parse HEAD')).trim()).toBe(head);
    const again = await converge(desiredState('host1', [checkout('/srv/checkout', knownHosts)]), host.ssh);
    expect(again.observed.resources['git:/srv/checkout']).toMatchObject({ remoteHead: head });
    expect(again.plan.inSync).toBe(true);
    expect(await sh(host.ssh, 'cat /root/.ssh/known_hosts 2>/dev/null | grep -c 127.77 || true')).toBe('0\n');
  });

  it('refuses a server whose key is not among the declared ones', async () => {
    const other = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFrLoB30Ybyd+e8GiPzuArgjATIn5iDudcgHDrsQiQYe';
    const { observed, result } = await converge(desiredState('host1', [checkout('/srv/refused', [`${host.fleet.hosts[1]!.address} ${other}`])]), host.ssh);
    expect(observed.resources['git:/srv/refused']).not.toHaveProperty('remoteHead');
    expect(result.ok).toBe(false);
    expect(result.steps[0]?.stderr).toMatch(/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
    expect(await sh(host.ssh, 'test -e /srv/refused/.git || echo none')).toBe('none\n');
  });
});
