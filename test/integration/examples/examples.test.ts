/**
 * The example repositories under examples/ are documentation and the inputs of the apply tests:
 * each must load with zero problems and mean what its README says. The summary snapshot
 * (host -> groups, roles, state, platform, resources, the template variant of each file) is
 * reviewed by hand; the explicit assertions pin what each example exists to show.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRepository } from '../../../manifests/index.js';
import { specFields, type DesiredResource, type DesiredState } from '../../../manifests/types.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const examplesDir = join(repoRoot, 'examples');

/** Every example and the hosts it declares; a new example must be added here. */
const EXPECTED_HOSTS: Record<string, string[]> = {
  'django-app': ['django-prod', 'django-staging'],
  quickstart: ['web1'],
  starter: ['web1'],
  'web-fleet': ['web1', 'web2', 'web3'],
};

const SCHEMA_BY_DIR: Record<string, string> = { hosts: 'host', groups: 'group', roles: 'role' };

const loaded = new Map<string, Promise<Awaited<ReturnType<typeof loadRepository>>>>();

/** Loads an example once per test file. */
function load(name: string): ReturnType<typeof loadRepository> {
  let result = loaded.get(name);
  if (!result) loaded.set(name, (result = Promise.resolve(loadRepository(join(examplesDir, name)))));
  return result;
}

async function host(example: string, name: string): Promise<DesiredState> {
  const { hosts } = await load(example);
  const found = hosts.find((h) => h.host.name === name);
  if (!found) throw new Error(`${example}: no host ${name}`);
  return found;
}

function resource(state: DesiredState, id: string): DesiredResource {
  const found = state.resources.find((r) => r.id === id);
  if (!found) throw new Error(`${state.host.name}: no resource ${id} (has ${state.resources.map((r) => r.id).join(', ')})`);
  return found;
}

function text(state: DesiredState, path: string): string {
  return resource(state, `file:${path}`).content?.text ?? '';
}

/** The template a rendered file came from, read from its "Managed by drover from ..." header. */
function managedFrom(r: DesiredResource): string | undefined {
  return /Managed by drover from (\S+?);/.exec(r.content?.text ?? '')?.[1];
}

/** One line per resource: its id, plus the template (variant) and secrets of files and any step override. */
function describeResource(r: DesiredResource): string {
  const from = r.kind === 'file' ? r.spec.template : undefined;
  const secrets = r.content?.secrets.length ? ` secrets=${r.content.secrets.join(',')}` : '';
  return `${r.id}${from ? ` <- ${from}` : ''}${secrets}${r.step ? ` [${r.step}]` : ''}`;
}

function summarize(state: DesiredState): Record<string, unknown> {
  const { host } = state;
  return {
    address: `${host.user}@${host.address}:${host.port}`,
    platform: `${host.platform} (${host.family})`,
    state: host.state,
    groups: host.groups,
    roles: host.roles,
    resources: state.resources.map(describeResource),
    tests: state.tests.map((t) => `${t.role}/${t.name}: ${t.command ?? (t.tcp ? `tcp ${t.tcp.host}:${t.tcp.port}` : `http ${t.http?.url} -> ${t.http?.status}`)}`),
    hooks: state.hooks.map((h) => `${h.phase}/${h.step}/${h.name}`),
  };
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'sample-app' ? [] : yamlFiles(path);
    return entry.endsWith('.yaml') ? [path] : [];
  });
}

describe('examples/', () => {
  it('holds exactly the examples this test knows', () => {
    const dirs = readdirSync(examplesDir).filter((e) => statSync(join(examplesDir, e)).isDirectory()).sort();
    expect(dirs).toEqual(Object.keys(EXPECTED_HOSTS).sort());
  });

  describe.each(Object.keys(EXPECTED_HOSTS))('%s', (example) => {
    it('loads with zero problems and the expected hosts', async () => {
      const { hosts, problems } = await load(example);
      expect(problems).toEqual([]);
      expect(hosts.map((h) => h.host.name).sort()).toEqual(EXPECTED_HOSTS[example]);
    });

    it('matches the reviewed summary', async () => {
      const { hosts } = await load(example);
      const summary = Object.fromEntries([...hosts].sort((a, b) => a.host.name.localeCompare(b.host.name)).map((h) => [h.host.name, summarize(h)]));
      expect(summary).toMatchSnapshot();
    });

    it('names the right template in every "Managed by drover from" header', async () => {
      const { hosts } = await load(example);
      const files = hosts.flatMap((h) => h.resources).filter((r) => managedFrom(r) !== undefined);
      expect(files.length).toBeGreaterThan(0);
      for (const r of files) expect(managedFrom(r), r.id).toBe(r.kind === 'file' ? r.spec.template : undefined);
    });

    it('has a README and a $schema header on every YAML file pointing at the right schema', () => {
      const root = join(examplesDir, example);
      expect(existsSync(join(root, 'README.md'))).toBe(true);
      for (const file of yamlFiles(root)) {
        const rel = relative(root, file);
        const kind = rel === 'drover.yaml' ? 'drover' : rel === 'drover.config.yaml' ? 'config' : SCHEMA_BY_DIR[rel.split('/')[0]!];
        const header = /^# yaml-language-server: \$schema=(\S+)\n/.exec(readFileSync(file, 'utf8'));
        expect(header, rel).not.toBeNull();
        expect(resolve(dirname(file), header![1]!), rel).toBe(join(repoRoot, 'schema', `${kind}.schema.json`));
      }
    });
  });
});

describe('examples/quickstart', () => {
  it('renders /etc/motd from host data', async () => {
    const web1 = await host('quickstart', 'web1');
    expect(text(web1, '/etc/motd')).toContain('web1 (127.0.0.1): debian, state "default", team platform.');
    expect(text(web1, '/etc/motd')).toContain('Ask ops@example.com before');
    expect(text(web1, '/srv/quickstart/hello.txt')).toMatch(/^Hello from drover!\n/);
  });
});

describe('examples/django-app', () => {
  it('uses production templates on django-prod and falls back to default on django-staging', async () => {
    const prod = await host('django-app', 'django-prod');
    const staging = await host('django-app', 'django-staging');
    expect([prod.host.state, staging.host.state]).toEqual(['production', 'staging']);
    expect(managedFrom(resource(prod, 'file:/etc/nginx/sites-available/mysite'))).toBe('templates/django/production/nginx-site.conf');
    expect(managedFrom(resource(staging, 'file:/etc/nginx/sites-available/mysite'))).toBe('templates/django/default/nginx-site.conf');
    expect(text(prod, '/etc/nginx/sites-available/mysite')).toContain('Strict-Transport-Security');
    expect(text(staging, '/etc/nginx/sites-available/mysite')).not.toContain('Strict-Transport-Security');
  });

  it('puts only a placeholder of SECRET_KEY in the settings, backed by a 50-character secret', async () => {
    for (const name of EXPECTED_HOSTS['django-app']!) {
      const state = await host('django-app', name);
      const settings = resource(state, 'file:/etc/django/local_settings.py');
      expect(settings.content?.text).toContain("SECRET_KEY = '{{drover-secret:django_secret_key}}'");
      expect(settings.content?.secrets).toEqual(['django_secret_key']);
      expect(resource(state, 'secret:django_secret_key').spec).toMatchObject({ length: 50, charset: 'alnum' });
    }
  });

  it('merges group params with host params and host data', async () => {
    const prod = await host('django-app', 'django-prod');
    const staging = await host('django-app', 'django-staging');
    expect(text(prod, '/etc/supervisor/conf.d/mysite.conf')).toContain('--workers 5 --bind 127.0.0.1:8000');
    expect(text(staging, '/etc/supervisor/conf.d/mysite.conf')).toContain('--workers 2 --bind 127.0.0.1:8000');
    expect(text(prod, '/etc/django/local_settings.py')).toContain("ALLOWED_HOSTS = ['www.example.com', 'example.com', 'localhost', '127.0.0.1']");
    expect(text(staging, '/etc/django/local_settings.py')).toContain('DEBUG = True');
    expect(resource(prod, 'git:/opt/django/app').spec).toMatchObject({ repo: 'https://github.com/example/mysite.git', ref: 'main' });
  });

  it('drops the system packages when skip_system_deps is set', async () => {
    const copy = copyExample('django-app');
    editFile(join(copy, 'hosts/django-staging.yaml'), '# skip_system_deps: true', 'skip_system_deps: true');
    const { hosts, problems } = await loadRepository(copy);
    expect(problems).toEqual([]);
    const packages = (name: string) => hosts.find((h) => h.host.name === name)!.resources.filter((r) => r.kind === 'package').map((r) => r.key);
    expect(packages('django-staging')).toEqual([]);
    expect(packages('django-prod')).toEqual(['python3-venv', 'python3-gunicorn', 'git', 'supervisor', 'nginx']);
  });

  it('binds nginx and gunicorn to per-host addresses when bind_address and gunicorn_host are set', async () => {
    const copy = copyExample('django-app');
    editFile(join(copy, 'hosts/django-prod.yaml'), '    workers: 5', '    workers: 5\n    bind_address: 127.0.0.2\n    gunicorn_host: 127.0.0.2');
    const { hosts, problems } = await loadRepository(copy);
    expect(problems).toEqual([]);
    const prod = hosts.find((h) => h.host.name === 'django-prod')!;
    expect(text(prod, '/etc/nginx/sites-available/mysite')).toContain('    listen 127.0.0.2:80;\n');
    expect(text(prod, '/etc/nginx/sites-available/mysite')).toContain('    server 127.0.0.2:8000 fail_timeout=0;\n');
    expect(text(prod, '/etc/supervisor/conf.d/mysite.conf')).toContain('--bind 127.0.0.2:8000 ');
    expect(text(prod, '/etc/django/local_settings.py')).toContain("ALLOWED_HOSTS = ['www.example.com', 'example.com', '127.0.0.2', 'localhost', '127.0.0.1']");
    expect(prod.tests.map((t) => t.tcp ?? t.http?.url)).toEqual([undefined, { host: '127.0.0.2', port: 8000 }, 'http://127.0.0.2:80/']);
  });
});

describe('examples/web-fleet', () => {
  it('binds per-host addresses when listen_address is set (as on the shared-network test fleet)', async () => {
    const copy = copyExample('web-fleet');
    editFile(join(copy, 'hosts/web2.yaml'), '    port: 8080', '    port: 8080\n    listen_address: 127.0.0.3');
    editFile(join(copy, 'hosts/web3.yaml'), '    server_name: intranet.example.com', '    server_name: intranet.example.com\n    listen_address: 127.0.0.4');
    const { hosts, problems } = await loadRepository(copy);
    expect(problems).toEqual([]);
    const [web2, web3] = ['web2', 'web3'].map((name) => hosts.find((h) => h.host.name === name)!);
    expect(text(web2!, '/etc/apache2/ports.conf')).toContain('\nListen 127.0.0.3:8080\n');
    expect(specFields(resource(web3!, 'line:/etc/httpd/conf/httpd.conf:^Listen ')).line).toBe('Listen 127.0.0.4:80');
    expect(web2!.tests.map((t) => t.tcp ?? t.http?.url)).toEqual([undefined, { host: '127.0.0.3', port: 8080 }, 'http://127.0.0.3:8080/']);
  });

  it('gives the rhel host httpd and the debian hosts apache2', async () => {
    const web3 = await host('web-fleet', 'web3');
    const ids = web3.resources.map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(['package:httpd', 'service:httpd', 'file:/etc/httpd/conf.d/example.conf', 'line:/etc/httpd/conf/httpd.conf:^Listen ']));
    expect(ids.filter((id) => id.includes('apache2'))).toEqual([]);
    const web1 = await host('web-fleet', 'web1');
    expect(web1.resources.map((r) => r.id)).toEqual(expect.arrayContaining(['package:apache2', 'file:/etc/apache2/ports.conf', 'symlink:/etc/apache2/sites-enabled/example.conf']));
  });

  it('uses the production site.conf only on web1 and falls back to default elsewhere', async () => {
    const variants = await Promise.all(['web1', 'web2', 'web3'].map(async (name) => {
      const state = await host('web-fleet', name);
      const site = state.resources.find((r) => r.kind === 'file' && r.key.endsWith('/example.conf'))!;
      return [managedFrom(site), managedFrom(resource(state, 'file:/var/www/example/index.html'))];
    }));
    expect(variants).toEqual([
      ['templates/apache/production/site.conf', 'templates/apache/default/index.html'],
      ['templates/apache/default/site.conf', 'templates/apache/default/index.html'],
      ['templates/apache/default/site.conf', 'templates/apache/default/index.html'],
    ]);
  });

  it('merges meta-group data outer first and resolves names through the resolver and the inventory', async () => {
    const web1 = await host('web-fleet', 'web1');
    const web3 = await host('web-fleet', 'web3');
    expect(web1.host.data).toMatchObject({ tier: 'frontend', banner: 'Welcome to www.example.com' });
    expect(web3.host.data).toMatchObject({ tier: 'internal', banner: 'Welcome to the example web fleet' });
    const index = text(web1, '/var/www/example/index.html');
    expect(index).toContain('Database: 10.0.0.5.');
    expect(index).toContain('href="http://127.0.0.4/"');
    expect(text(web1, '/etc/apache2/sites-available/example.conf')).toContain('SetEnv DB_HOST 10.0.0.5');
  });

  it('applies host params over group and repository params', async () => {
    const web2 = await host('web-fleet', 'web2');
    expect(text(web2, '/etc/apache2/ports.conf')).toContain('\nListen 8080\n');
    const site = text(web2, '/etc/apache2/sites-available/example.conf');
    expect(site).toContain('<VirtualHost *:8080>');
    expect(site).toContain('ServerName www.example.com');
    expect(site).toContain('ServerAdmin webmaster@example.com');
  });

  it('carries the hook scripts of regen_apache and setup_apache', async () => {
    const web2 = await host('web-fleet', 'web2');
    expect(web2.hooks.map((h) => `${h.phase}/${h.step}/${h.name}`).sort()).toEqual([
      'post/regen_apache/10-configtest.sh',
      'post/setup_apache/10-log-done.sh',
      'pre/regen_apache/10-configtest.sh',
      'pre/setup_apache/10-log-start.sh',
    ]);
    expect(web2.hooks.find((h) => h.phase === 'post' && h.step === 'regen_apache')?.script).toContain('apache2ctl -t || apachectl -t');
  });
});

const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

/** A throwaway copy of an example, for variations of it. */
function copyExample(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `drover-example-${name}-`));
  copies.push(dir);
  cpSync(join(examplesDir, name), dir, { recursive: true });
  return dir;
}

/** Replaces one exact piece of a copied example file; throws when it is not there (the example changed). */
function editFile(file: string, from: string, to: string): void {
  const before = readFileSync(file, 'utf8');
  if (!before.includes(from)) throw new Error(`${file} has no ${JSON.stringify(from)}`);
  writeFileSync(file, before.replace(from, to));
}
