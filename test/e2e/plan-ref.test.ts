/**
 * `drover plan --ref REF [--base REF2]` on real OpenSSH hosts and a real Git repository: a branch that
 * changes two of three hosts is planned from Git (not from the working tree, which keeps an uncommitted
 * change that must not count), exactly those hosts and steps, secrets masked, with drift on the third
 * host shown apart; nothing on the hosts, in the working tree or in the refs changes. An invalid branch
 * gives file:line:col problems (and `validate -o github` annotations), an unknown ref exit 1.
 * Needs `npm run build` (the CLI runs from dist/).
 */
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { encryptSecret } from '../../manifests/index.js';
import { startFleet, type Fleet } from '../fleet/index.js';
import { fleetSshFlags, sshRun } from '../support/ssh.js';
import { runDrover, type CliRun } from '../integration/cli/run-cli.js';
import { git } from '../support/git-remote.js';
import { hostFile } from '../support/host-file.js';

const SECRET = 'Pr3view-must-not-Show';

let fleet: Fleet;
let dir: string;
let repo: string;
let keyFile: string;

function plan(...args: string[]): Promise<CliRun> {
  return runDrover(['plan', repo, ...fleetSshFlags(fleet), '--age-identity', keyFile, ...args]);
}

async function write(files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) await writeFile(join(repo, path), content);
}

async function commitOn(branch: string, files: Record<string, string>): Promise<void> {
  await git(repo, 'checkout', '-q', '-b', branch, 'main');
  await write(files);
  await git(repo, 'add', '-A');
  await git(repo, 'commit', '-q', '-m', branch);
  await git(repo, 'checkout', '-q', 'main');
}

/** What a plan must not change: the hosts' files, the refs, the branch checked out and the working tree. */
async function untouched(): Promise<string> {
  const hosts = await Promise.all(fleet.hosts.map((h) => sshRun(fleet, h.name, 'cat /srv/ctl/*.txt; ls /srv/ctl /var/lib/drover/secrets 2>&1 || true')));
  const refs = await git(repo, 'show-ref');
  const status = await git(repo, 'status', '--porcelain=v1', '--branch');
  return [...hosts, refs, status].join('\n--\n');
}

type JsonPlan = { hosts: { host: string; plan: { inSync: boolean; steps: { name: string; action: string }[] } }[] };
const changing = (body: JsonPlan): [string, string[]][] => body.hosts.map((h) => [h.host, h.plan.steps.filter((s) => s.action !== 'none').map((s) => s.name)]);

beforeAll(async () => {
  fleet = await startFleet({ count: 3, name: 'e2e-plan-ref' });
  dir = await mkdtemp(join(tmpdir(), 'drover-e2e-plan-ref-'));
  repo = join(dir, 'repo');
  keyFile = join(dir, 'age.key');
  const identity = await generateIdentity();
  await writeFile(keyFile, `${identity}\n`, { mode: 0o600 });
  await mkdir(join(repo, 'hosts'), { recursive: true });
  await mkdir(join(repo, 'secrets'));
  await git(dir, 'init', '-q', '-b', 'main', repo);
  await write({ 'secrets/recipients.txt': `${await identityToRecipient(identity)}\n` });
  await encryptSecret({ root: repo, name: 'db_password', value: SECRET });
  for (const h of fleet.hosts) await write({ [`hosts/${h.name}.yaml`]: hostFile(h, 'one\n') });
  await git(repo, 'add', '-A');
  await git(repo, 'commit', '-q', '-m', 'three hosts');
  const converged = await runDrover(['reconcile', repo, '--yes', ...fleetSshFlags(fleet), '--age-identity', keyFile]);
  expect(converged.code, converged.stderr).toBe(0);
  await commitOn('feature', {
    'hosts/host1.yaml': hostFile(fleet.hosts[0]!, 'two\n'),
    'hosts/host2.yaml': stringify({
      address: fleet.hosts[1]!.address,
      resources: [
        { kind: 'directory', path: '/srv/ctl' },
        { kind: 'file', path: '/srv/ctl/managed.txt', content: 'one\n', mode: '0644' },
        { kind: 'secret', name: 'db_password' },
        { kind: 'file', path: '/srv/ctl/app.conf', content: "password={{ secret('db_password') }}\n" },
      ],
    }),
  });
  await commitOn('broken', { 'hosts/host3.yaml': `${hostFile(fleet.hosts[2]!, 'one\n')}adress: nowhere\n` });
  await git(dir, 'init', '-q', '--bare', join(dir, 'remote.git'));
  await git(repo, 'remote', 'add', 'origin', join(dir, 'remote.git'));
  await git(repo, 'push', '-q', 'origin', 'feature');
  // An uncommitted change the working tree keeps: plan --ref must neither use nor touch it.
  await write({ 'hosts/host3.yaml': hostFile(fleet.hosts[2]!, 'uncommitted\n') });
});

afterAll(async () => {
  await fleet?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('drover plan --ref', () => {
  it('plans a branch from Git: exactly the two hosts it changes, secrets masked, nothing touched', async () => {
    const before = await untouched();
    const run = await plan('--ref', 'feature', '-o', 'json');
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/planning feature \([0-9a-f]{12}\); the working tree is not used/);
    expect(changing(JSON.parse(run.stdout) as JsonPlan)).toEqual([
      ['host1', ['backup_srv_ctl_managed_txt', 'regen_srv_ctl_managed_txt']],
      ['host2', ['install_secret_db_password', 'regen_srv_ctl_app_conf']],
      ['host3', []],
    ]);
    // The same branch as a remote-tracking ref, in text.
    const text = await plan('--ref', 'origin/feature');
    expect(text.code).toBe(2);
    expect(text.stdout).toContain('(secret)');
    for (const shown of [run, text]) expect(`${shown.stdout}${shown.stderr}`).not.toContain(SECRET);
    expect(await untouched()).toBe(before);
  });

  it('with --base, tells the branch\'s own changes from drift it does not touch', async () => {
    await sshRun(fleet, 'host3', 'echo drifted > /srv/ctl/managed.txt');
    const before = await untouched();
    const json = await plan('--ref', 'feature', '--base', 'main', '-o', 'json');
    expect(json.code, json.stderr).toBe(2);
    const body = JSON.parse(json.stdout) as { base: string; hosts: { host: string; change: { change: string; steps: string[]; drift: string[] } }[] };
    expect(body.base).toMatch(/^main \([0-9a-f]{12}\)$/);
    expect(body.hosts.map((h) => [h.host, h.change.change, h.change.steps, h.change.drift])).toEqual([
      ['host1', 'changed', ['backup_srv_ctl_managed_txt', 'regen_srv_ctl_managed_txt'], []],
      ['host2', 'changed', ['install_secret_db_password', 'regen_srv_ctl_app_conf'], []],
      ['host3', 'unchanged', [], ['backup_srv_ctl_managed_txt', 'regen_srv_ctl_managed_txt']],
    ]);
    const text = await plan('--ref', 'feature', '--base', 'main');
    expect(text.stdout).toMatch(/Changes of feature compared with main[\s\S]*host1[\s\S]*host2[\s\S]*Drift feature does not touch[\s\S]*host3/);
    const markdown = await plan('--ref', 'feature', '--base', 'main', '-o', 'markdown');
    expect(markdown.code).toBe(2);
    expect(markdown.stdout).toMatch(/^\| `?host1`? \|/m);
    expect(markdown.stdout).toMatch(/^\| `?host2`? \|/m);
    expect(markdown.stdout).toContain('<details>');
    expect(markdown.stdout).toContain('(secret)');
    for (const shown of [json, text, markdown]) expect(`${shown.stdout}${shown.stderr}`).not.toContain(SECRET);
    expect(await untouched()).toBe(before);
  });

  it('an invalid branch exits 1 with file:line:col problems; validate -o github annotates them', async () => {
    const run = await plan('--ref', 'broken');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/hosts\/host3\.yaml:\d+:\d+ .*adress/);
    const markdown = await plan('--ref', 'broken', '-o', 'markdown');
    expect(markdown.code).toBe(1);
    expect(markdown.stdout).toContain('**The revision is invalid** (1 problem)');
    expect(markdown.stdout).toMatch(/hosts\/host3\.yaml:\d+:\d+/);
    const checkout = join(dir, 'broken-checkout');
    await git(repo, 'worktree', 'add', '-q', checkout, 'broken');
    const github = await runDrover(['validate', '-o', 'github'], { cwd: checkout });
    expect(github.code).toBe(1);
    expect(github.stdout).toMatch(/^::error file=hosts\/host3\.yaml,line=\d+,col=\d+,title=drover validate::.*adress/m);
    await git(repo, 'worktree', 'remove', '--force', checkout);
  });

  it('an unknown ref exits 1 saying so, and touches nothing', async () => {
    const before = await untouched();
    const run = await plan('--ref', 'no-such-branch');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('"no-such-branch" is not a branch, tag or commit of the Git repository');
    expect(await untouched()).toBe(before);
  });
});
