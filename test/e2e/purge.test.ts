/**
 * Directories drover owns (`directory` with `purge`) on a real OpenSSH host: `purge: true` removes only the
 * files and symlinks no resource declares (not `keep` names, subdirectories or other types), a second run
 * changes nothing, `restore_dir_<path>` puts them back as they were, a failed run puts back what it purged,
 * and `purge: report` lists the entries without touching them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useFleet } from '../support/fleet.js';
import { fleetSshFlags, sshRun } from '../support/ssh.js';
import { runDrover, type CliRun } from '../integration/cli/run-cli.js';

const env = useFleet({ count: 1, name: 'e2e-purge' });
let repo: string;

const OWNED = [
  '  - { kind: directory, path: /etc/sudoers.d, mode: "0750", purge: true, keep: [README, "*.keep"] }',
  '  - { kind: file, path: /etc/sudoers.d/admins, content: "%adm ALL=(ALL) ALL\\n", mode: "0440", owner: root, group: root }',
  '  - { kind: directory, path: /etc/cron.d, purge: report }',
  '  - { kind: cron, name: backup, schedule: "0 3 * * *", command: "true" }',
];

async function writeHost(extra: string[] = []): Promise<void> {
  await writeFile(join(repo, 'hosts/web1.yaml'), [`address: ${env.fleet.hosts[0]!.address}`, 'resources:', ...OWNED, ...extra, ''].join('\n'));
}

async function drover(...args: string[]): Promise<CliRun> {
  const [command, ...rest] = args;
  return runDrover([command!, ...rest, ...(command === 'run' ? [] : [repo]), ...fleetSshFlags(env.fleet)]);
}

function expectCode(run: CliRun, code: number): void {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(code);
}

const host = (command: string): Promise<string> => sshRun(env.fleet, 'host1', command);

/** `name type mode owner [-> target]` for every entry of `dir`, sorted, with a file's content after `:`. */
const listing = (dir: string): Promise<string> => host(
  `cd ${dir} && for e in * .[!.]*; do [ -e "./$e" ] || [ -L "./$e" ] || continue; ` +
  'if [ -L "./$e" ]; then echo "$e -> $(readlink "./$e")"; elif [ -f "./$e" ]; then echo "$e $(stat -c "%a %U" "./$e"): $(head -c 40 "./$e" | tr "\\n" " ")"; ' +
  'else echo "$e $(stat -c %F "./$e")"; fi; done | LC_ALL=C sort',
);

const STRAY = [
  "printf 'stray rule\\n' > '/etc/sudoers.d/stray rule' && chmod 0400 '/etc/sudoers.d/stray rule' && chown nobody '/etc/sudoers.d/stray rule'",
  "printf 'hidden\\n' > /etc/sudoers.d/.hidden && chmod 0440 /etc/sudoers.d/.hidden",
  'ln -sfn /etc/hostname /etc/sudoers.d/linked',
  "printf 'odd\\n' > '/etc/sudoers.d/-odd $(id) \"q\"'",
  "printf 'kept\\n' > /etc/sudoers.d/old.keep && chmod 0440 /etc/sudoers.d/old.keep",
  "mkdir -p /etc/sudoers.d/subdir && printf 'in a subdir\\n' > /etc/sudoers.d/subdir/rule",
  'rm -f /etc/sudoers.d/fifo && mkfifo /etc/sudoers.d/fifo',
  "printf '# README\\n' > /etc/sudoers.d/README && chmod 0440 /etc/sudoers.d/README",
  "printf '%%adm ALL=(ALL) ALL\\n' > /etc/sudoers.d/admins && chmod 0440 /etc/sudoers.d/admins",
  "mkdir -p /etc/cron.d && printf '* * * * * root true\\n' > /etc/cron.d/by-hand",
].join(' && ');

let before = '';

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'drover-e2e-purge-'));
  await mkdir(join(repo, 'hosts'));
  await writeFile(join(repo, 'drover.yaml'), 'settings:\n  backups: 2\n');
  await writeHost();
  await host(`mkdir -p /etc/sudoers.d && ${STRAY}`);
  before = await listing('/etc/sudoers.d');
});

afterAll(async () => {
  if (repo) await rm(repo, { recursive: true, force: true });
});

describe('purge: true', () => {
  it('plans one purge_ step per undeclared file or symlink, and none for kept names, subdirectories or a fifo', async () => {
    const plan = await drover('plan');
    expectCode(plan, 2);
    expect(plan.stdout).toMatch(/- purge_etc_sudoers_d_stray_rule\s+file \/etc\/sudoers\.d\/stray rule is not declared in \/etc\/sudoers\.d/);
    expect(plan.stdout).toContain('purge_etc_sudoers_d_hidden');
    expect(plan.stdout).toMatch(/purge_etc_sudoers_d_linked\s+symlink \/etc\/sudoers\.d\/linked/);
    for (const kept of ['readme', 'old_keep', 'subdir', 'fifo', 'admins ']) expect(plan.stdout).not.toContain(`purge_etc_sudoers_d_${kept}`);
    expect(plan.stdout).toMatch(/- purge_etc_cron_d_by_hand\s+file \/etc\/cron\.d\/by-hand is not declared in \/etc\/cron\.d \(purge: report; not removed\)/);
    expect(await listing('/etc/sudoers.d')).toBe(before);
  });

  it('removes only the undeclared entries, keeping each in the backup store; a second run changes nothing', async () => {
    const first = await drover('reconcile', '--yes', '--output', 'json');
    expectCode(first, 0);
    const body = JSON.parse(first.stdout) as { hosts: { apply?: { steps: { name: string; status: string }[] }; verify?: { inSync: boolean } }[] };
    const changed = body.hosts[0]?.apply?.steps.filter((s) => s.status === 'changed').map((s) => s.name).filter((n) => n.startsWith('purge_'));
    expect(changed).toEqual(['purge_etc_sudoers_d_odd_id_q', 'purge_etc_sudoers_d_hidden', 'purge_etc_sudoers_d_linked', 'purge_etc_sudoers_d_stray_rule']);
    expect(body.hosts[0]?.verify?.inSync).toBe(true);
    expect(await listing('/etc/sudoers.d')).toBe([
      'README 440 root: # README ',
      'admins 440 root: %adm ALL=(ALL) ALL ',
      'fifo fifo',
      'old.keep 440 root: kept ',
      'subdir directory',
      '',
    ].join('\n'));
    expect(await host('cat /etc/sudoers.d/subdir/rule /etc/cron.d/by-hand')).toBe('in a subdir\n* * * * * root true\n');
    expect(await host('ls /var/lib/drover/purged | wc -l')).toBe('1\n');

    const second = await drover('reconcile', '--yes');
    expectCode(second, 0);
    expect(second.stdout).toContain('in sync, nothing to do');
    const plan = await drover('plan');
    expectCode(plan, 0);
    expect(plan.stdout).toMatch(/web1 \(.*\): in sync \(\d+ resources\); \d+ reported, not changed/);
  });

  it('drover run restore_dir_<path> puts every purged entry back with its content, mode, owner or target', async () => {
    const steps = await drover('steps', 'web1');
    expect(steps.stdout).toMatch(/restore_dir_etc_sudoers_d\s+put back what purge removed from \/etc\/sudoers\.d/);
    expect(steps.stdout).toMatch(/purge_etc_cron_d_by_hand\s+reported only: file \/etc\/cron\.d\/by-hand is not declared/);
    const restored = await drover('run', 'web1', 'restore_dir_etc_sudoers_d', repo, '--yes', ...fleetSshFlags(env.fleet));
    expectCode(restored, 0);
    expect(restored.stdout).toContain('restored restore_dir_etc_sudoers_d');
    expect(await listing('/etc/sudoers.d')).toBe(before);

    const again = await drover('run', 'web1', 'restore_dir_etc_sudoers_d', repo, '--yes', ...fleetSshFlags(env.fleet));
    expectCode(again, 0);
    expect(again.stdout).toContain('unchanged restore_dir_etc_sudoers_d (/etc/sudoers.d): nothing to put back');
  });

  it('a run that fails after purging puts the purged entries back', async () => {
    // A post hook of the host's setup_ step (which holds the purge_ steps) fails, as a `visudo -c` would.
    await mkdir(join(repo, 'scripts/post/setup_web1'), { recursive: true });
    await writeFile(join(repo, 'scripts/post/setup_web1/check.sh'), 'echo check failed >&2\nexit 1\n');
    const failed = await drover('reconcile', '--yes', '--output', 'json');
    expectCode(failed, 3);
    const body = JSON.parse(failed.stdout) as { hosts: { apply?: { steps: { name: string; status: string }[] } }[] };
    const statuses = Object.fromEntries((body.hosts[0]?.apply?.steps ?? []).map((s) => [s.name, s.status]));
    expect(statuses['purge_etc_sudoers_d_stray_rule']).toBe('restored');
    expect(statuses['post:setup_web1/check.sh']).toBe('failed');
    expect(await listing('/etc/sudoers.d')).toBe(before);

    await rm(join(repo, 'scripts'), { recursive: true });
    expectCode(await drover('reconcile', '--yes'), 0);
    expect(await host('ls -A /etc/sudoers.d | LC_ALL=C sort | tr "\\n" " "')).toBe('README admins fifo old.keep subdir ');
  });
});
