/**
 * Secrets on a real OpenSSH host never reach the controller's output: a template that stops using a
 * secret, or a secret resource dropped from the manifest, still shows the old line masked in
 * `drover plan`, `reconcile` (without --yes) and `-o json`. A file holding a secret is 0600.
 * Needs `npm run build` (the CLI runs from dist/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useFleet } from '../../support/fleet.js';
import { fleetSshFlags, sshRun } from '../../support/ssh.js';
import { runDrover, type CliRun } from './run-cli.js';

const env = useFleet({ count: 1, name: 'secret-masking' });
let repo: string;

async function writeRepo(options: { template: string; declareSecret: boolean }): Promise<void> {
  const host = env.fleet.hosts[0]!;
  await writeFile(join(repo, 'hosts/host1.yaml'), [
    `address: ${host.address}`,
    'resources:',
    ...(options.declareSecret ? ['  - { kind: secret, name: db_password }'] : []),
    '  - { kind: directory, path: /etc/app }',
    '  - { kind: file, path: /etc/app/app.conf, template: app/app.conf }',
    '',
  ].join('\n'));
  await writeFile(join(repo, 'templates/app/default/app.conf'), options.template);
}

function drover(command: string, ...args: string[]): Promise<CliRun> {
  return runDrover([command, repo, ...fleetSshFlags(env.fleet), ...args]);
}

/** Everything a user sees of a run. */
function shown(run: CliRun): string {
  return `${run.stdout}\n${run.stderr}`;
}

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'drover-secret-masking-'));
  await mkdir(join(repo, 'hosts'));
  await mkdir(join(repo, 'templates/app/default'), { recursive: true });
});

afterAll(async () => {
  if (repo) await rm(repo, { recursive: true, force: true });
});

describe('secrets the host holds never appear in plans', () => {
  let value = '';

  it('converges a file holding a secret, written 0600 though it declares no mode', async () => {
    await writeRepo({ template: "user = app\npassword = {{ secret('db_password') }}\n", declareSecret: true });
    const run = await drover('reconcile', '--yes');
    expect(run.code, shown(run)).toBe(0);
    value = (await sshRun(env.fleet, 'host1', 'head -n 1 /var/lib/drover/secrets/db_password')).trim();
    expect(value.length).toBe(50);
    expect(await sshRun(env.fleet, 'host1', 'stat -c %a /etc/app/app.conf; cat /etc/app/app.conf')).toBe(`600\nuser = app\npassword = ${value}\n`);
  });

  it('masks the value when the template stops using it (plan, reconcile without --yes, -o json)', async () => {
    await writeRepo({ template: 'user = app\nport = 5432\n', declareSecret: true });
    const plan = await drover('plan');
    expect(plan.code, shown(plan)).toBe(2);
    expect(plan.stdout).toContain('-password = (secret)');
    const refused = await drover('reconcile');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('-password = (secret)');
    const json = await drover('plan', '-o', 'json');
    expect(json.code).toBe(2);
    for (const run of [plan, refused, json]) expect(shown(run)).not.toContain(value);
  });

  it('masks the value of a secret no longer declared at all', async () => {
    await writeRepo({ template: 'user = app\nport = 5432\n', declareSecret: false });
    const plan = await drover('plan');
    expect(plan.code, shown(plan)).toBe(2);
    expect(plan.stdout).toContain('-password = (secret)');
    expect(shown(plan)).not.toContain(value);
  });
});
