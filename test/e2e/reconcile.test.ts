/**
 * `drover reconcile` on a real OpenSSH host: examples/quickstart converges from scratch (its
 * package comes from Debian's registry), a second run changes nothing, and without --yes and
 * without a terminal nothing is applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useFleet } from '../support/fleet.js';
import { copyExample } from '../support/example-repo.js';
import { fleetSshFlags, sshRun } from '../support/ssh.js';
import { runDrover } from '../integration/cli/run-cli.js';

const env = useFleet({ count: 1, name: 'e2e-reconcile' });
let repo: string;

beforeAll(async () => {
  repo = await copyExample('quickstart', { web1: { address: env.fleet.hosts[0]!.address } });
});

afterAll(async () => {
  if (repo) await rm(repo, { recursive: true, force: true });
});

describe('drover reconcile (examples/quickstart on a real host)', () => {
  it('refuses to apply without --yes when there is no terminal, and changes nothing', async () => {
    const run = await runDrover(['reconcile', repo, ...fleetSshFlags(env.fleet)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('refusing to apply without confirmation');
    expect(await sshRun(env.fleet, 'host1', 'test -e /srv/quickstart && echo present || echo absent')).toBe('absent\n');
  });

  it('converges the host from scratch, then a second run changes nothing', async () => {
    const first = await runDrover(['reconcile', repo, '--yes', ...fleetSshFlags(env.fleet)]);
    expect(first.stderr).not.toMatch(/failed/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/web1\s+converged\s+\d+\s+0\s+0/);
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/quickstart/hello.txt && stat -c "%a %U" /srv/quickstart/hello.txt && command -v tree'))
      .toBe('Hello from drover!\nManaged by drover: edit hosts/web1.yaml in the manifest repository, not this file.\n644 root\n/usr/bin/tree\n');
    expect(await sshRun(env.fleet, 'host1', 'cat /etc/motd')).toContain('web1');

    const second = await runDrover(['reconcile', repo, '--yes', ...fleetSshFlags(env.fleet)]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('web1 (');
    expect(second.stdout).toContain('in sync, nothing to do');
    const plan = await runDrover(['plan', repo, ...fleetSshFlags(env.fleet)]);
    expect(plan.code).toBe(0);
  });

  it('reports drift made by hand and repairs it', async () => {
    await sshRun(env.fleet, 'host1', 'echo tampered > /srv/quickstart/hello.txt && chmod 0600 /srv/quickstart/hello.txt');
    const plan = await runDrover(['plan', repo, ...fleetSshFlags(env.fleet)]);
    expect(plan.code).toBe(2);
    const fix = await runDrover(['reconcile', repo, '--yes', '--output', 'json', ...fleetSshFlags(env.fleet)]);
    const body = JSON.parse(fix.stdout) as { hosts: { apply?: { steps: { name: string; status: string }[] }; verify?: { inSync: boolean } }[] };
    expect(fix.code).toBe(0);
    const changed = body.hosts[0]?.apply?.steps.filter((s) => s.status === 'changed').map((s) => s.name);
    expect(changed).toEqual(['backup_srv_quickstart_hello_txt', 'regen_srv_quickstart_hello_txt']);
    expect(body.hosts[0]?.verify?.inSync).toBe(true);
    expect(await sshRun(env.fleet, 'host1', 'stat -c %a /srv/quickstart/hello.txt')).toBe('644\n');
  });
});

describe('drover run HOST STEP', () => {
  it('runs one named step and nothing else', async () => {
    await sshRun(env.fleet, 'host1', 'echo tampered > /srv/quickstart/hello.txt && echo tampered > /etc/motd');
    const run = await runDrover(['run', 'web1', 'regen_srv_quickstart_hello_txt', repo, '--yes', ...fleetSshFlags(env.fleet)]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/changed\s+regen_srv_quickstart_hello_txt/);
    expect(run.stdout).not.toContain('regen_etc_motd');
    expect(await sshRun(env.fleet, 'host1', 'head -n 1 /srv/quickstart/hello.txt; cat /etc/motd')).toBe('Hello from drover!\ntampered\n');
  });

  it('names the steps there are for an unknown step', async () => {
    const run = await runDrover(['run', 'web1', 'regen_nope', repo, ...fleetSshFlags(env.fleet)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/web1 has no step "regen_nope"; steps: setup_web1, /);
  });
});

describe('pruning (settings.prune)', () => {
  it('shows clean_ steps in the dry run, removes only then, and the next run is in sync', async () => {
    const settings = join(repo, 'drover.yaml');
    await writeFile(settings, (await readFile(settings, 'utf8')).replace(/prune: false/, 'prune: true'));
    expect((await runDrover(['reconcile', repo, '--yes', ...fleetSshFlags(env.fleet)])).code).toBe(0); // records the inventory

    const hostFile = join(repo, 'hosts/web1.yaml');
    const text = await readFile(hostFile, 'utf8');
    const start = text.indexOf('  # A file whose content is written right here.');
    const end = text.indexOf('  # A file rendered from templates');
    expect(start).toBeGreaterThan(0);
    await writeFile(hostFile, text.slice(0, start) + text.slice(end));

    const plan = await runDrover(['reconcile', '--dry-run', repo, ...fleetSshFlags(env.fleet)]);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/- clean_file_srv_quickstart_hello_txt\s+file:\/srv\/quickstart\/hello\.txt is no longer declared \(prune\)/);
    expect(plan.stdout).toContain('0 to create, 0 to update, 1 to delete');
    expect(await sshRun(env.fleet, 'host1', 'test -f /srv/quickstart/hello.txt && echo kept')).toBe('kept\n');

    const apply = await runDrover(['reconcile', repo, '--yes', ...fleetSshFlags(env.fleet)]);
    expect(apply.code).toBe(0);
    expect(await sshRun(env.fleet, 'host1', 'test -e /srv/quickstart/hello.txt && echo kept || echo removed; test -d /srv/quickstart && echo dir'))
      .toBe('removed\ndir\n');
    expect((await runDrover(['plan', repo, ...fleetSshFlags(env.fleet)])).code).toBe(0);
  });
});
