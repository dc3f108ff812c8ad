/**
 * `drover run HOST STEP` and `drover reconcile --test` on a real OpenSSH host (issue 11 items 15-18):
 * test_ steps run on demand and show a failure's exit code and output; `run` asks like reconcile and has
 * --dry-run; a partial run keeps notifications a failed reconcile left pending; restore_ steps put a file
 * back as it was before drover first changed it (or a backup revision), and remove files drover created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../fleet/index.js';
import { fleetSshFlags, sshRun } from '../support/ssh.js';
import { runDrover, type CliRun } from '../integration/cli/run-cli.js';

let fleet: Fleet;
let repo: string;

const ROLE = (tests: string) => [
  'resources:',
  '  - { kind: directory, path: /srv/t, mode: "0755" }',
  '  - { kind: file, path: /srv/t/a.conf, content: "a v1\\n", mode: "0644", notify: ["command:reload-a"] }',
  '  - { kind: command, name: reload-a, run: "date >> /srv/t/reloads", refreshOnly: true }',
  'tests:',
  tests,
  '',
].join('\n');
const HEALTH_TEST = '  - { name: health, command: "test -e /srv/t/healthy || { echo unhealthy: no /srv/t/healthy; exit 4; }" }';

async function writeHost(resources: string[]): Promise<void> {
  const list = resources.length > 0 ? ['resources:', ...resources] : ['resources: []'];
  await writeFile(join(repo, 'hosts/web1.yaml'), [`address: ${fleet.hosts[0]!.address}`, 'roles: [web]', ...list, ''].join('\n'));
}

async function drover(...args: string[]): Promise<CliRun> {
  const [command, ...rest] = args;
  return runDrover([command!, ...rest, ...(command === 'run' || command === 'steps' ? [] : [repo]), ...fleetSshFlags(fleet)]);
}

/** The run's exit code, checked with its output in the failure message. */
function expectCode(run: CliRun, code: number): void {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(code);
}

const host = (command: string): Promise<string> => sshRun(fleet, 'host1', command);

beforeAll(async () => {
  fleet = await startFleet({ count: 1, name: 'e2e-run-steps' });
  repo = await mkdtemp(join(tmpdir(), 'drover-e2e-run-'));
  await mkdir(join(repo, 'hosts'));
  await mkdir(join(repo, 'roles'));
  await writeFile(join(repo, 'drover.yaml'), 'settings:\n  backups: 1\n');
  await writeFile(join(repo, 'roles/web.yaml'), ROLE(HEALTH_TEST));
  await writeHost([]);
});

afterAll(async () => {
  await fleet?.stop();
  if (repo) await rm(repo, { recursive: true, force: true });
});

describe('test_ steps on demand', () => {
  it('converges (tests pass after apply needs the marker), then runs a test by name and shows why it failed', async () => {
    await host('mkdir -p /srv/t && touch /srv/t/healthy');
    expectCode(await drover('reconcile', '--yes'), 0);
    await host('rm /srv/t/healthy');

    const failed = await drover('run', 'web1', 'test_web_health', repo);
    expectCode(failed, 3);
    expect(failed.stdout).toContain('failed    test_web_health (exit 4)');
    expect(failed.stdout).toContain('| unhealthy: no /srv/t/healthy');

    await host('touch /srv/t/healthy');
    const passed = await drover('run', 'web1', 'test_web_health', repo);
    expectCode(passed, 0);
    expect(passed.stdout).toContain('passed    test_web_health');
  });

  it('reconcile --test runs the tests of an in-sync host; without it the host is only in sync', async () => {
    await host('rm /srv/t/healthy');
    const plain = await drover('reconcile', '--yes');
    expectCode(plain, 0);
    expect(plain.stdout).toContain('in sync, nothing to do');

    const tested = await drover('reconcile', '--yes', '--test');
    expectCode(tested, 3);
    expect(tested.stdout).toMatch(/✗ web1 \(.*\): failed: test_web_health failed \(exit 4\): unhealthy: no \/srv\/t\/healthy/);

    await host('touch /srv/t/healthy');
    const healthy = await drover('reconcile', '--yes', '--test');
    expectCode(healthy, 0);
    expect(healthy.stdout).toMatch(/✓ web1 \(.*\): in sync, 1 test passed/);
  });
});

describe('drover run asks like reconcile', () => {
  it('refuses to change a host without --yes when there is no terminal; --dry-run only shows the step', async () => {
    await host('echo tampered > /srv/t/a.conf');
    const refused = await drover('run', 'web1', 'regen_a_conf', repo);
    expectCode(refused, 1);
    expect(refused.stderr).toContain('refusing to apply without confirmation');
    const dry = await drover('run', 'web1', 'regen_a_conf', repo, '--dry-run');
    expectCode(dry, 2);
    expect(dry.stdout).toContain('regen_a_conf');
    expect(await host('cat /srv/t/a.conf')).toBe('tampered\n');
  });
});

describe('drover run keeps notifications a failed reconcile left pending', () => {
  it('does not drop the pending command; the next reconcile runs it', async () => {
    await host('rm -f /srv/t/reloads');
    // a.conf changes (notifies reload-a), then b.conf fails (its directory is missing): the run stops, a.conf is restored,
    // and the notification stays pending on the host.
    await writeFile(join(repo, 'roles/web.yaml'), ROLE(HEALTH_TEST).replace('a v1', 'a v2'));
    await writeHost(['  - { kind: file, path: /srv/missing/b.conf, content: "b\\n" }']);
    const failed = await drover('reconcile', '--yes');
    expectCode(failed, 3);
    expect(failed.stdout).toMatch(/failed: regen_b_conf failed \(exit 1\): drover: parent directory \/srv\/missing does not exist/);
    expect(await host('cat /var/lib/drover/pending')).toBe('command:reload-a\n');

    const run = await drover('run', 'web1', 'regen_a_conf', repo, '--yes');
    expectCode(run, 0);
    expect(await host('cat /srv/t/a.conf')).toBe('a v2\n');
    expect(await host('cat /var/lib/drover/pending')).toBe('command:reload-a\n');
    expect(await host('test -e /srv/t/reloads && echo ran || echo not yet')).toBe('not yet\n');

    await writeHost([]);
    expectCode(await drover('reconcile', '--yes'), 0);
    expect(await host('wc -l < /srv/t/reloads')).toBe('1\n');
    expect(await host('test -e /var/lib/drover/pending && echo left || echo none')).toBe('none\n');
  });
});

describe('restore_ steps', () => {
  const v = (n: number) => `  - { kind: file, path: /srv/t/pre.conf, content: "managed v${n}\\n", mode: "0644", owner: root, group: root }`;
  const created = '  - { kind: file, path: /srv/t/new.conf, content: "created by drover\\n" }';

  it('are listed for every managed file', async () => {
    await host("printf 'original\\n' > /srv/t/pre.conf && chmod 0600 /srv/t/pre.conf && chown nobody:nogroup /srv/t/pre.conf");
    await writeHost([v(1), created]);
    expectCode(await drover('reconcile', '--yes'), 0);
    const steps = await drover('steps', 'web1', repo);
    expectCode(steps, 0);
    expect(steps.stdout).toMatch(/restore_a_conf\s+put \/srv\/t\/a\.conf back as before drover/);
    expect(steps.stdout).toMatch(/restore_pre_conf\s+put \/srv\/t\/pre\.conf back as before drover/);
    expect(steps.stdout).toMatch(/restore_new_conf\s+put \/srv\/t\/new\.conf back as before drover/);
  });

  it('put back the content, mode and owner from before drover, beyond the backup rotation, and remove files drover created', async () => {
    for (const n of [2, 3]) {
      await writeHost([v(n), created]);
      expectCode(await drover('reconcile', '--yes'), 0);
    }
    expect(await host('cat /var/lib/drover/backups/index/* | wc -l')).not.toBe('0\n');
    expectCode(await drover('run', 'web1', 'restore_pre_conf', repo), 1); // asks like every change

    const restored = await drover('run', 'web1', 'restore_pre_conf', repo, '--yes');
    expectCode(restored, 0);
    expect(restored.stdout).toContain('restored restore_pre_conf (/srv/t/pre.conf)');
    expect(restored.stderr).toContain('a drover controller in selfHeal mode converges them again');
    expect(restored.stderr).toContain('unless the host is suspended');
    expect(await host('cat /srv/t/pre.conf; stat -c "%a %U %G" /srv/t/pre.conf')).toBe('original\n600 nobody nogroup\n');

    const removed = await drover('run', 'web1', 'restore_new_conf', repo, '--yes');
    expectCode(removed, 0);
    expect(await host('test -e /srv/t/new.conf && echo present || echo absent')).toBe('absent\n');
  });

  it('--revision N puts back a backup instead', async () => {
    expectCode(await drover('reconcile', '--yes'), 0);
    expect(await host('cat /srv/t/pre.conf')).toBe('managed v3\n');
    await writeHost([v(4), created]);
    expectCode(await drover('reconcile', '--yes'), 0);
    const run = await drover('run', 'web1', 'restore_pre_conf', repo, '--yes', '--revision', '1');
    expectCode(run, 0);
    expect(await host('cat /srv/t/pre.conf; stat -c "%a %U" /srv/t/pre.conf')).toBe('managed v3\n644 root\n');
    const missing = await drover('run', 'web1', 'restore_pre_conf', repo, '--yes', '--revision', '2');
    expectCode(missing, 3);
    expect(missing.stdout).toContain('backup revision not found');
  });
});
