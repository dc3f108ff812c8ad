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
import { useFleet } from '../support/fleet.js';
import { fleetSshFlags, sshRun } from '../support/ssh.js';
import { runDrover, type CliRun } from '../integration/cli/run-cli.js';

const env = useFleet({ count: 1, name: 'e2e-run-steps' });
let repo: string;

const ROLE = (tests: string, options: { a?: string; boom?: boolean } = {}) => [
  'resources:',
  '  - { kind: directory, path: /srv/t, mode: "0755" }',
  `  - { kind: file, path: /srv/t/a.conf, content: "${options.a ?? 'a v1'}\\n", mode: "0644", notify: ["command:reload-a"] }`,
  ...(options.boom ? ['  - { kind: command, name: boom, run: "echo boom-output >&2; exit 3", unless: "test -e /srv/t/boom-off" }'] : []),
  '  - { kind: command, name: reload-a, run: "date >> /srv/t/reloads", refreshOnly: true }',
  'tests:',
  tests,
  '',
].join('\n');
const HEALTH_TEST = '  - { name: health, command: "test -e /srv/t/healthy || { echo unhealthy: no /srv/t/healthy; exit 4; }" }';

async function writeHost(resources: string[]): Promise<void> {
  const list = resources.length > 0 ? ['resources:', ...resources] : ['resources: []'];
  await writeFile(join(repo, 'hosts/web1.yaml'), [`address: ${env.fleet.hosts[0]!.address}`, 'roles: [web]', ...list, ''].join('\n'));
}

async function drover(...args: string[]): Promise<CliRun> {
  const [command, ...rest] = args;
  return runDrover([command!, ...rest, ...(command === 'run' || command === 'steps' ? [] : [repo]), ...fleetSshFlags(env.fleet)]);
}

/**
 * The name of the step of `resource` in `phase` (`regen`, `install`, `test`, `restore`), as `drover steps`
 * lists them: the tests do not depend on how step names are made.
 */
async function stepOf(resource: string, phase: string): Promise<string> {
  const run = await drover('steps', 'web1', repo, '--output', 'json');
  const steps = JSON.parse(run.stdout) as { name: string; phase: string; resource: string }[];
  const found = steps.find((st) => st.resource === resource && st.phase === phase);
  if (!found) throw new Error(`no ${phase} step for ${resource} in ${run.stdout}${run.stderr}`);
  return found.name;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The run's exit code, checked with its output in the failure message. */
function expectCode(run: CliRun, code: number): void {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(code);
}

const host = (command: string): Promise<string> => sshRun(env.fleet, 'host1', command);

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'drover-e2e-run-'));
  await mkdir(join(repo, 'hosts'));
  await mkdir(join(repo, 'roles'));
  await writeFile(join(repo, 'drover.yaml'), 'settings:\n  backups: 1\n');
  await writeFile(join(repo, 'roles/web.yaml'), ROLE(HEALTH_TEST));
  await writeHost([]);
});

afterAll(async () => {
  if (repo) await rm(repo, { recursive: true, force: true });
});

describe('test_ steps on demand', () => {
  it('converges (tests pass after apply needs the marker), then runs a test by name and shows why it failed', async () => {
    await host('mkdir -p /srv/t && touch /srv/t/healthy');
    expectCode(await drover('reconcile', '--yes'), 0);
    await host('rm /srv/t/healthy');

    const health = await stepOf('test:web/health', 'test');
    const failed = await drover('run', 'web1', health, repo);
    expectCode(failed, 3);
    expect(failed.stdout).toContain(`failed    ${health} (exit 4)`);
    expect(failed.stdout).toContain('| unhealthy: no /srv/t/healthy');

    await host('touch /srv/t/healthy');
    const passed = await drover('run', 'web1', health, repo);
    expectCode(passed, 0);
    expect(passed.stdout).toContain(`passed    ${health}`);
  });

  it('reconcile --test runs the tests of an in-sync host; without it the host is only in sync', async () => {
    await host('rm /srv/t/healthy');
    const plain = await drover('reconcile', '--yes');
    expectCode(plain, 0);
    expect(plain.stdout).toContain('in sync, nothing to do');

    const tested = await drover('reconcile', '--yes', '--test');
    expectCode(tested, 3);
    const health = await stepOf('test:web/health', 'test');
    expect(tested.stdout).toMatch(new RegExp(`✗ web1 \\(.*\\): failed: ${escape(health)} failed \\(exit 4\\): unhealthy: no /srv/t/healthy`));

    await host('touch /srv/t/healthy');
    const healthy = await drover('reconcile', '--yes', '--test');
    expectCode(healthy, 0);
    expect(healthy.stdout).toMatch(/✓ web1 \(.*\): in sync, 1 test passed/);
  });
});

describe('drover run asks like reconcile', () => {
  it('refuses to change a host without --yes when there is no terminal; --dry-run only shows the step', async () => {
    await host('echo tampered > /srv/t/a.conf');
    const regenA = await stepOf('file:/srv/t/a.conf', 'regen');
    const refused = await drover('run', 'web1', regenA, repo);
    expectCode(refused, 1);
    expect(refused.stderr).toContain('refusing to apply without confirmation');
    const dry = await drover('run', 'web1', regenA, repo, '--dry-run');
    expectCode(dry, 2);
    expect(dry.stdout).toContain(regenA);
    expect(await host('cat /srv/t/a.conf')).toBe('tampered\n');
  });
});

describe('drover run keeps notifications a failed reconcile left pending', () => {
  it('does not drop the pending command; the next reconcile runs it', async () => {
    await host('rm -f /srv/t/reloads');
    // a.conf changes (notifies reload-a), then the command boom fails: the run stops, a.conf is restored, and the
    // notification stays pending on the host.
    await writeFile(join(repo, 'roles/web.yaml'), ROLE(HEALTH_TEST, { a: 'a v2', boom: true }));
    const boom = await stepOf('command:boom', 'install');
    const regenA = await stepOf('file:/srv/t/a.conf', 'regen');
    const failed = await drover('reconcile', '--yes');
    expectCode(failed, 3);
    expect(failed.stdout).toContain(`failed: ${boom} failed (exit 3): boom-output`);
    expect(await host('cat /srv/t/a.conf; cat /var/lib/drover/pending')).toBe('tampered\ncommand:reload-a\n');

    const run = await drover('run', 'web1', regenA, repo, '--yes');
    expectCode(run, 0);
    expect(await host('cat /srv/t/a.conf')).toBe('a v2\n');
    expect(await host('cat /var/lib/drover/pending')).toBe('command:reload-a\n');
    expect(await host('test -e /srv/t/reloads && echo ran || echo not yet')).toBe('not yet\n');

    await host('touch /srv/t/boom-off');
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
    for (const path of ['/srv/t/a.conf', '/srv/t/pre.conf', '/srv/t/new.conf']) {
      const name = await stepOf(`file:${path}`, 'restore');
      expect(name).toMatch(/^restore_/);
      expect(steps.stdout).toMatch(new RegExp(`${escape(name)}\\s+put ${escape(path)} back as before drover`));
    }
  });

  it('put back the content, mode and owner from before drover, beyond the backup rotation, and remove files drover created', async () => {
    for (const n of [2, 3]) {
      await writeHost([v(n), created]);
      expectCode(await drover('reconcile', '--yes'), 0);
    }
    expect(await host('cat /var/lib/drover/backups/index/* | wc -l')).not.toBe('0\n');
    const restorePre = await stepOf('file:/srv/t/pre.conf', 'restore');
    expectCode(await drover('run', 'web1', restorePre, repo), 1); // asks like every change

    const restored = await drover('run', 'web1', restorePre, repo, '--yes');
    expectCode(restored, 0);
    expect(restored.stdout).toContain(`restored ${restorePre} (/srv/t/pre.conf)`);
    expect(restored.stderr).toContain('a drover controller in selfHeal mode converges them again');
    expect(restored.stderr).toContain('unless the host is suspended');
    expect(await host('cat /srv/t/pre.conf; stat -c "%a %U %G" /srv/t/pre.conf')).toBe('original\n600 nobody nogroup\n');

    const removed = await drover('run', 'web1', await stepOf('file:/srv/t/new.conf', 'restore'), repo, '--yes');
    expectCode(removed, 0);
    expect(await host('test -e /srv/t/new.conf && echo present || echo absent')).toBe('absent\n');
  });

  it('--revision N puts back a backup instead', async () => {
    expectCode(await drover('reconcile', '--yes'), 0);
    expect(await host('cat /srv/t/pre.conf')).toBe('managed v3\n');
    await writeHost([v(4), created]);
    expectCode(await drover('reconcile', '--yes'), 0);
    const restorePre = await stepOf('file:/srv/t/pre.conf', 'restore');
    const run = await drover('run', 'web1', restorePre, repo, '--yes', '--revision', '1');
    expectCode(run, 0);
    expect(await host('cat /srv/t/pre.conf; stat -c "%a %U" /srv/t/pre.conf')).toBe('managed v3\n644 root\n');
    const missing = await drover('run', 'web1', restorePre, repo, '--yes', '--revision', '2');
    expectCode(missing, 3);
    expect(missing.stdout).toContain('backup revision not found');
  });
});
