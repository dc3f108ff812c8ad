/**
 * Encrypted secrets in Git on a real OpenSSH host: `drover secrets set|edit` keep secrets/<name>.age,
 * plan/reconcile decrypt them in memory with the identity from --age-identity or the environment,
 * write the value to the host's secret file, substitute it in files, never show it, follow a new
 * value in one run, and refuse (touching no host) without the right identity.
 * Needs `npm run build` (the CLI runs from dist/).
 */
import { Decrypter, armor, generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useFleet } from '../../support/fleet.js';
import { fleetSshFlags, sshRun } from '../../support/ssh.js';
import { runDrover, type CliRun } from './run-cli.js';

const fleetEnv = useFleet({ count: 1, name: 'repo-secrets' });
let repo: string;
let keys: string;
let identity = '';
let identityFile = '';
let wrongFile = '';

const FIRST = 'first-Value-from-git';
const SECOND = 'second-Value-from-git';
const OTHER = 'an0ther-repo-token';

function drover(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliRun> {
  return runDrover(args, options);
}

function onHosts(command: string, ...args: string[]): Promise<CliRun> {
  return drover([command, repo, ...fleetSshFlags(fleetEnv.fleet), ...args]);
}

function shown(run: CliRun): string {
  return `${run.stdout}\n${run.stderr}`;
}

async function decrypt(name: string): Promise<string> {
  const d = new Decrypter();
  d.addIdentity(identity);
  return d.decrypt(armor.decode(await readFile(join(repo, `secrets/${name}.age`), 'utf8')), 'text');
}

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'drover-repo-secrets-'));
  keys = await mkdtemp(join(tmpdir(), 'drover-age-keys-'));
  identity = await generateIdentity();
  identityFile = join(keys, 'controller.key');
  wrongFile = join(keys, 'wrong.key');
  await writeFile(identityFile, `# created: by the test\n${identity}\n`, { mode: 0o600 });
  await writeFile(wrongFile, `${await generateIdentity()}\n`, { mode: 0o600 });
  await mkdir(join(repo, 'hosts'));
  await mkdir(join(repo, 'secrets'));
  await mkdir(join(repo, 'templates/app/default'), { recursive: true });
  await writeFile(join(repo, 'secrets/recipients.txt'), `# the controller\n${await identityToRecipient(identity)}\n`);
  await writeFile(join(repo, 'hosts/host1.yaml'), [
    `address: ${fleetEnv.fleet.hosts[0]!.address}`,
    'resources:',
    '  - { kind: secret, name: db_password }',
    '  - { kind: directory, path: /etc/app }',
    '  - { kind: file, path: /etc/app/app.conf, template: app/app.conf }',
    '  - { kind: file, path: /etc/app/notes.txt, content: "notes\\n" }',
    '',
  ].join('\n'));
  await writeFile(join(repo, 'templates/app/default/app.conf'), "user = app\npassword = {{ secret('db_password') }}\n");
});

afterAll(async () => {
  for (const dir of [repo, keys]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe('secrets/*.age on a real host', () => {
  it('drover secrets set encrypts stdin to secrets/recipients.txt (armored, no plain value on disk)', async () => {
    const set = await drover(['secrets', 'set', 'db_password', repo], { stdin: `${FIRST}\n` });
    expect(set.code, shown(set)).toBe(0);
    expect(set.stdout).toContain('wrote secrets/db_password.age');
    const text = await readFile(join(repo, 'secrets/db_password.age'), 'utf8');
    expect(text.startsWith('-----BEGIN AGE ENCRYPTED FILE-----')).toBe(true);
    expect(text).not.toContain(FIRST);
    expect(await decrypt('db_password')).toBe(FIRST);
    expect((await drover(['secrets', 'set', 'other_token', repo], { stdin: OTHER })).code).toBe(0);
    const bad = await drover(['secrets', 'set', 'x', repo], { stdin: 'two\nlines\n' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('several lines: a secret is one non-empty line');
  });

  it('refuses without an identity, or with a wrong one, and touches no host', async () => {
    const missing = await onHosts('reconcile', '--yes');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('the repository keeps encrypted secrets (secrets/db_password.age, secrets/other_token.age) and no age identity was given: pass --age-identity FILE');
    const wrong = await onHosts('reconcile', '--yes', '--age-identity', wrongFile);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`cannot decrypt secrets/db_password.age with the age identity from --age-identity ${wrongFile}`);
    const absent = await onHosts('plan', '--age-identity', join(keys, 'nope.key'));
    expect(absent.stderr).toContain('cannot read the age identity file');
    expect(absent.stderr).toContain('it does not exist');
    expect(await sshRun(fleetEnv.fleet, 'host1', 'ls /etc/app /var/lib/drover/secrets 2>&1 || :')).toMatch(/No such file[\s\S]*No such file/);
  });

  it('writes the repository value to the host and into files, never showing it', async () => {
    const plan = await onHosts('plan', '--age-identity', identityFile);
    expect(plan.code, shown(plan)).toBe(2);
    expect(plan.stdout).toContain('secret db_password absent -> written from secrets/db_password.age');
    const run = await onHosts('reconcile', '--yes', '--age-identity', identityFile);
    expect(run.code, shown(run)).toBe(0);
    for (const r of [plan, run]) expect(shown(r)).not.toContain(FIRST);
    expect(await sshRun(fleetEnv.fleet, 'host1', 'stat -c %a /var/lib/drover/secrets/db_password /etc/app/app.conf; cat /var/lib/drover/secrets/db_password /etc/app/app.conf'))
      .toBe(`600\n600\n${FIRST}\nuser = app\npassword = ${FIRST}\n`);
    const again = await onHosts('plan', '--age-identity', identityFile);
    expect(again.code, shown(again)).toBe(0);
  });

  it('follows a new value in one run: the secret and every file holding it (shown as "(secret changed)")', async () => {
    expect((await drover(['secrets', 'set', 'db_password', repo], { stdin: SECOND })).code).toBe(0);
    const env = { DROVER_AGE_IDENTITY_FILE: identityFile };
    const plan = await drover(['plan', repo, ...fleetSshFlags(fleetEnv.fleet)], { env });
    expect(plan.code, shown(plan)).toBe(2);
    expect(plan.stdout).toContain('value differs from secrets/db_password.age -> replaced (values not shown)');
    expect(plan.stdout).toContain('secret db_password gets a new value from secrets/db_password.age -> content rewritten');
    expect(plan.stdout).toContain('(secret changed)');
    const json = await drover(['plan', repo, ...fleetSshFlags(fleetEnv.fleet), '-o', 'json'], { env });
    const run = await drover(['reconcile', repo, ...fleetSshFlags(fleetEnv.fleet), '--yes'], { env: { DROVER_AGE_IDENTITY: identity } });
    expect(run.code, shown(run)).toBe(0);
    for (const r of [plan, json, run]) {
      expect(shown(r)).not.toContain(FIRST);
      expect(shown(r)).not.toContain(SECOND);
    }
    expect(await sshRun(fleetEnv.fleet, 'host1', 'cat /etc/app/app.conf')).toBe(`user = app\npassword = ${SECOND}\n`);
    expect((await drover(['plan', repo, ...fleetSshFlags(fleetEnv.fleet)], { env })).code).toBe(0);
  });

  it('masks repository values found in any old text, even of secrets this host does not use', async () => {
    await sshRun(fleetEnv.fleet, 'host1', `printf 'notes\\n${OTHER}\\n${SECOND}\\n' > /etc/app/notes.txt`);
    const plan = await onHosts('plan', '--age-identity', identityFile);
    expect(plan.code, shown(plan)).toBe(2);
    expect(plan.stdout).toContain('-(secret)\n');
    expect(shown(plan)).not.toContain(OTHER);
    expect(shown(plan)).not.toContain(SECOND);
  });

  it('drover secrets edit runs $EDITOR on a 0600 file in /dev/shm and removes it', async () => {
    const log = join(keys, 'editor.log');
    const editor = join(keys, 'editor.sh');
    await writeFile(editor, `#!/bin/sh\nstat -c '%a %n' "$1" > ${log}; cat "$1" >> ${log}; printf 'edited-Value\\n' > "$1"\n`);
    await chmod(editor, 0o755);
    const before = (await readdir('/dev/shm')).filter((n) => n.startsWith('drover-secret-'));
    const edit = await drover(['secrets', 'edit', 'db_password', repo, '--age-identity', identityFile], { env: { EDITOR: editor } });
    expect(edit.code, shown(edit)).toBe(0);
    const [stat, old] = (await readFile(log, 'utf8')).split('\n');
    expect(stat).toMatch(/^600 \/dev\/shm\/drover-secret-\w+\/value$/);
    expect(old).toBe(SECOND);
    expect(await decrypt('db_password')).toBe('edited-Value');
    expect((await readdir('/dev/shm')).filter((n) => n.startsWith('drover-secret-'))).toEqual(before);
    expect(shown(edit)).not.toContain('edited-Value');
  });
});
