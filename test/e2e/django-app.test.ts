/**
 * examples/django-app on two real systemd hosts, driven through the built CLI: converges from scratch
 * (packages from Debian's registry), serves the sample app through nginx -> gunicorn (supervisor), keeps
 * its generated SECRET_KEY (never printed), restarts or reloads only what a change concerns, and deploys
 * a new commit of the app repository.
 *
 * The app repository is a bare repository ON each host (/srv/git/mysite.git, a local path as in the
 * example's README), filled and updated with git bundles sent over ssh: the hosts' / is an overlay of the
 * machine's /, and an overlay does not reliably show later changes of its lower layer (a repository on
 * the machine updated after the host read it keeps its old refs there).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../fleet/index.js';
import { fleetSshFlags, sshRun } from '../support/ssh.js';
import { copyExample, patchHostFile } from '../support/example-repo.js';
import { runDrover, type CliRun } from '../integration/cli/run-cli.js';
import { ROOT } from '../support/paths.js';

const HOSTS = ['django-prod', 'django-staging'] as const;
type HostName = (typeof HOSTS)[number];
const APP_REPO = '/srv/git/mysite.git';

let fleet: Fleet;
let repo: string;
let app: string;
const outputs: string[] = [];
const secrets = new Map<HostName, string>();

const fleetHost = (name: HostName): string => `host${HOSTS.indexOf(name) + 1}`;
const address = (name: HostName): string => fleet.hosts[HOSTS.indexOf(name)]!.address;
const on = (name: HostName, command: string, stdin?: Buffer): Promise<string> => sshRun(fleet, fleetHost(name), command, stdin);

/** Runs drover against the example copy; every output is kept for the secret check at the end. */
async function drover(verb: string, ...args: string[]): Promise<CliRun> {
  const run = await runDrover([verb, repo, ...args, ...fleetSshFlags(fleet)]);
  outputs.push(run.stdout, run.stderr);
  return run;
}

interface JsonReport { hosts: { host: string; apply?: { steps: { name: string; status: string }[] }; verify?: { inSync: boolean } }[] }

/** Names of the steps `reconcile --output json` reports as changed, per host (absent: nothing applied). */
function changedSteps(run: CliRun): Record<string, string[] | undefined> {
  const body = JSON.parse(run.stdout) as JsonReport;
  return Object.fromEntries(body.hosts.map((h) => [h.host, h.apply?.steps.filter((s) => s.status === 'changed').map((s) => s.name)]));
}

const git = (...args: string[]): string => execFileSync('git', ['-C', app, '-c', 'user.name=drover tests', '-c', 'user.email=t@example.com', ...args], { encoding: 'utf8' });

/** Sends the app's main branch to a host's bare repository (created on first use) as a git bundle. */
async function pushApp(name: HostName): Promise<void> {
  git('bundle', 'create', join(app, '..', 'app.bundle'), 'main');
  const bundle = await readFile(join(app, '..', 'app.bundle'));
  await on(name, `set -e; cat > /root/app.bundle
    if [ ! -d ${APP_REPO} ]; then git init -q --bare -b main ${APP_REPO}; git config --system --add safe.directory ${APP_REPO}; fi
    git -C ${APP_REPO} fetch -q /root/app.bundle main:main`, bundle);
}

/** PIDs that tell restarts from reloads: supervisord, the mysite program, nginx's master and its workers. */
async function pids(name: HostName): Promise<{ supervisord: string; mysite: string; nginx: string; nginxWorkers: string }> {
  const out = await on(name, 'supervisorctl pid; supervisorctl pid mysite; cat /run/nginx.pid; pgrep -P "$(cat /run/nginx.pid)" | sort | tr "\\n" " "');
  const [supervisord = '', mysite = '', nginx = '', nginxWorkers = ''] = out.split('\n');
  return { supervisord, mysite, nginx, nginxWorkers };
}

const secretOf = async (name: HostName): Promise<string> => (await on(name, "sed -n \"s/^SECRET_KEY = '\\(.*\\)'$/\\1/p\" /etc/django/local_settings.py")).trim();

async function http(name: HostName): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(`http://${address(name)}/`);
  return { status: response.status, body: await response.text(), headers: response.headers };
}

beforeAll(async () => {
  fleet = await startFleet({ count: 2, systemd: true, name: 'e2e-django' });
  app = join(await mkdtemp(join(tmpdir(), 'drover-e2e-django-')), 'app');
  await cp(join(ROOT, 'examples/django-app/sample-app'), app, { recursive: true });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'sample app');
  for (const name of HOSTS) await pushApp(name);
  repo = await copyExample('django-app', Object.fromEntries(HOSTS.map((name) => [name, {
    address: address(name),
    params: { django: { bind_address: address(name), gunicorn_host: address(name), repo_url: APP_REPO } },
  }])));
}, 180_000);

afterAll(async () => {
  await fleet?.stop();
  if (repo) await rm(repo, { recursive: true, force: true });
  if (app) await rm(join(app, '..'), { recursive: true, force: true });
});

describe('examples/django-app on real systemd hosts', () => {
  it('converges both hosts from scratch and serves the app through nginx', async () => {
    // One host at a time: the hosts share one network, and Debian starts nginx on *:80 when it
    // installs it, which would keep the other host's nginx from binding its own address.
    const run = await drover('reconcile', '--yes', '--concurrency', '1');
    expect(run.stderr).not.toMatch(/failed/);
    expect(run.code).toBe(0);
    for (const name of HOSTS) {
      expect(run.stdout).toMatch(new RegExp(`${name}\\s+converged\\s+\\d+\\s+0\\s+0`));
      const publicKey = (await on(name, 'cat /opt/django/.ssh/id_ed25519.pub')).trim();
      expect(publicKey).toMatch(new RegExp(`^ssh-ed25519 \\S+ django@${name}$`));
      expect(run.stdout).toContain(`public key /opt/django/.ssh/id_ed25519: ${publicKey}`);
      expect(await http(name)).toMatchObject({
        status: 200, body: `mysite is up\nsettings loaded: yes\ndebug: ${name === 'django-prod' ? 'False' : 'True'}\n`,
      });
      expect(await on(name, 'supervisorctl status mysite')).toMatch(/^mysite\s+RUNNING\s/);
      const secret = await secretOf(name);
      expect(secret).toMatch(/^[A-Za-z0-9]{50}$/);
      secrets.set(name, secret);
    }
    expect(secrets.get('django-prod')).not.toBe(secrets.get('django-staging'));
  }, 600_000);

  it('changes nothing on a second run, and plan finds nothing to do', async () => {
    const before = await Promise.all(HOSTS.map(pids));
    const run = await drover('reconcile', '--yes');
    expect(run.code).toBe(0);
    for (const name of HOSTS) expect(run.stdout).toContain(`${name} (${address(name)}:22): in sync, nothing to do`);
    expect((await drover('plan')).code).toBe(0);
    expect(await Promise.all(HOSTS.map(pids))).toEqual(before);
    for (const name of HOSTS) expect(await secretOf(name)).toBe(secrets.get(name));
  }, 120_000);

  it('re-renders a tampered local_settings.py with the same SECRET_KEY, never showing it', async () => {
    for (const name of HOSTS) await on(name, "sed -i '/^SECRET_KEY/a # edited by hand' /etc/django/local_settings.py");
    const plan = await drover('plan');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("SECRET_KEY = '(secret)'\n          -# edited by hand");
    const run = await drover('reconcile', '--yes', '--output', 'json');
    expect(run.code).toBe(0);
    for (const name of HOSTS) {
      expect(changedSteps(run)[name]).toEqual(['backup_etc_django_local_settings_py', 'regen_etc_django_local_settings_py', 'restart_mysite']);
      expect(await secretOf(name)).toBe(secrets.get(name));
      expect(await on(name, 'stat -c "%a %U %G" /etc/django/local_settings.py; grep -c "edited by hand" /etc/django/local_settings.py || :'))
        .toBe('640 root django\n0\n');
    }
  }, 120_000);

  it('restarts only mysite when its workers change', async () => {
    const before = await Promise.all(HOSTS.map(pids));
    await patchHostFile(repo, 'django-prod', { params: { django: { workers: 4 } } });
    const run = await drover('reconcile', '--yes', '--output', 'json');
    expect(run.code).toBe(0);
    expect(changedSteps(run)).toEqual({ 'django-prod': ['backup_etc_supervisor_conf_d_mysite_conf', 'regen_etc_supervisor_conf_d_mysite_conf', 'restart_mysite'], 'django-staging': undefined });
    const [prod, staging] = await Promise.all(HOSTS.map(pids));
    expect(prod!.mysite).not.toBe(before[0]!.mysite);
    expect({ ...prod, mysite: '' }).toEqual({ ...before[0], mysite: '' });
    expect(staging).toEqual(before[1]);
    expect(await on('django-prod', 'pgrep -u django -c -f "gunicorn --workers 4 "')).toBe('5\n');
  }, 120_000);

  it('reloads nginx, and restarts nothing, when its site template changes', async () => {
    const before = await pids('django-staging');
    const template = join(repo, 'templates/django/default/nginx-site.conf');
    const text = await readFile(template, 'utf8');
    await writeFile(template, text.replace('    client_max_body_size 10m;\n', '    client_max_body_size 10m;\n    add_header X-Deployed-By drover always;\n'));
    const run = await drover('reconcile', '--yes', '--output', 'json');
    expect(run.code).toBe(0);
    expect(changedSteps(run)).toEqual({
      'django-prod': undefined, 'django-staging': ['backup_etc_nginx_sites_available_mysite', 'regen_etc_nginx_sites_available_mysite', 'reload_nginx'],
    });
    const after = await pids('django-staging');
    expect(after.nginxWorkers).not.toBe(before.nginxWorkers);
    expect({ ...after, nginxWorkers: '' }).toEqual({ ...before, nginxWorkers: '' });
    expect((await http('django-staging')).headers.get('x-deployed-by')).toBe('drover');
  }, 120_000);

  it('deploys a new commit of the app repository and restarts mysite', async () => {
    const wsgi = join(app, 'mysite/wsgi.py');
    await writeFile(wsgi, (await readFile(wsgi, 'utf8')).replace("'mysite is up\\n'", "'mysite is up (release 2)\\n'"));
    git('commit', '-q', '-a', '-m', 'release 2');
    const head = git('rev-parse', 'HEAD').trim();
    for (const name of HOSTS) await pushApp(name);
    const before = await Promise.all(HOSTS.map(pids));
    const run = await drover('reconcile', '--yes', '--output', 'json');
    expect(run.code).toBe(0);
    for (const [i, name] of HOSTS.entries()) {
      expect(changedSteps(run)[name]).toEqual(['install_git_opt_django_app', 'restart_mysite']);
      expect(await on(name, 'runuser -u django -- git -C /opt/django/app rev-parse HEAD')).toBe(`${head}\n`);
      const after = await pids(name);
      expect(after.mysite).not.toBe(before[i]!.mysite);
      expect({ ...after, mysite: '' }).toEqual({ ...before[i], mysite: '' });
      expect((await http(name)).body).toMatch(/^mysite is up \(release 2\)\n/);
    }
  }, 120_000);

  it('never printed a SECRET_KEY (text and JSON output of every run)', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(16);
    expect(secrets.size).toBe(2);
    for (const secret of secrets.values()) {
      for (const output of outputs) expect(output.includes(secret)).toBe(false);
    }
  });
});
