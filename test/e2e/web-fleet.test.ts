/**
 * examples/web-fleet on real systemd hosts, driven through the built CLI: web1 (state production) and
 * web2 (port 8080) converge from scratch with Apache from Debian's registry, serve their rendered
 * index on their own address, run the hook scripts once around regen_apache and setup_apache, pass
 * their test_* checks and stay in sync. A config change reloads Apache (same master process), a
 * content change does not; a broken config (by a param, or by hand before the run) is refused and the
 * previous files are put back while Apache keeps serving. web3 declares `platform: rhel`: pointed at a
 * Debian host it is refused (E_PLATFORM_MISMATCH), the others unaffected; its plan on a RHEL-family
 * host is pinned from a synthetic fresh Rocky observation (there is no RHEL host here).
 */
import { connect } from 'node:net';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fact, ObservedState } from '../../controller/facts/types.js';
import { planHost } from '../../controller/plan/plan-host.js';
import type { HostResult } from '../../controller/reconcile/types.js';
import { loadRepository } from '../../manifests/index.js';
import type { DesiredResource } from '../../manifests/types.js';
import { startFleet, type Fleet, type FleetHost } from '../fleet/index.js';
import { ROOT, runDrover } from '../integration/cli/run-cli.js';
import { copyExample, patchHostFile } from '../support/example-repo.js';
import { fleetSshFlags, sshRun } from '../support/ssh.js';

const SITE = '/etc/apache2/sites-available/example.conf';
const INDEX = '/var/www/example/index.html';
const SLOW = 180_000;

let fleet: Fleet;
let repo: string;
let host1: FleetHost;
let host2: FleetHost;

beforeAll(async () => {
  fleet = await startFleet({ count: 2, systemd: true, name: 'e2e-web' });
  [host1, host2] = fleet.hosts as [FleetHost, FleetHost];
  // Debian's apache2 starts Apache on `Listen 80` (*:80) as it installs it; drover's restart then moves
  // it to the configured address. The hosts share one network, where *:80 of one host is port 80 of
  // all: converged together, host2's packaged Apache kept web1's from binding its own address whenever
  // host2's apt finished first (seen under load). So host1 starts Apache as Debian does, and host2 is
  // a machine where apt starts no service (a policy-rc.d, as container images have): drover starts it.
  await sshRun(fleet, host2.name, "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d");
  // The hosts share one network: each Apache listens on its host's own address. web3 (rhel) is
  // pointed at a Debian host on purpose.
  repo = await copyExample('web-fleet', {
    web1: { address: host1.address, params: { apache: { listen_address: host1.address } } },
    web2: { address: host2.address, params: { apache: { listen_address: host2.address } } },
    web3: { address: host1.address },
  });
});

afterAll(async () => {
  await fleet?.stop();
  if (repo) await rm(repo, { recursive: true, force: true });
});

interface ReconcileRun { code: number | null; hosts: HostResult[]; stderr: string }

async function reconcile(hosts: string[]): Promise<ReconcileRun> {
  const run = await runDrover(['reconcile', repo, '--yes', '--output', 'json', ...hosts.flatMap((h) => ['--host', h]), ...fleetSshFlags(fleet)]);
  const body = JSON.parse(run.stdout) as { hosts: HostResult[] };
  return { code: run.code, hosts: body.hosts, stderr: run.stderr };
}

/** Steps of one host's apply with the given status, in order (`changed` by default). */
function steps(run: ReconcileRun, host: string, status = 'changed'): string[] {
  const r = run.hosts.find((h) => h.host === host);
  if (!r?.apply) throw new Error(`${host}: ${JSON.stringify(r)}`);
  return (r.apply?.steps ?? []).filter((s) => s.status === status).map((s) => s.name);
}

/** Apache's master pid and how many graceful restarts (reloads) its error log records. */
async function apache(host: string): Promise<{ pid: string; reloads: number }> {
  const out = await sshRun(fleet, host, "systemctl show -p MainPID --value apache2; grep -c 'Doing graceful restart' /var/log/apache2/error.log || :");
  const [pid = '', reloads = '0'] = out.trim().split('\n');
  return { pid, reloads: Number(reloads) };
}

/** A raw HTTP/1.0 GET without a Host header, so Apache's signature names the configured ServerName. */
function rawGet(address: string, port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port }, () => socket.write(`GET ${path} HTTP/1.0\r\n\r\n`));
    let data = '';
    socket.on('data', (c: Buffer) => { data += c.toString(); });
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

/** Polls `check` until it returns true (Apache applies a graceful reload a moment after systemctl returns). */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

async function index(address: string, port: number): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://${address}:${port}/`);
  return { status: res.status, body: await res.text() };
}

describe('examples/web-fleet on systemd hosts', () => {
  it('converges web1 and web2 from scratch: served, variants, hooks once around their steps, tests pass', async () => {
    const first = await reconcile(['web1', 'web2']);
    expect(first.code).toBe(0);
    for (const host of ['web1', 'web2']) {
      const r = first.hosts.find((h) => h.host === host);
      expect(r && 'apply' in r && r.apply?.ok && r.verify?.inSync).toBe(true);
      const names = steps(first, host);
      expect(names.filter((n) => n.includes(':'))).toEqual([
        'pre:setup_apache/10-log-start.sh', 'pre:regen_apache/10-configtest.sh', 'post:regen_apache/10-configtest.sh', 'post:setup_apache/10-log-done.sh',
      ]);
      const around = names.slice(names.indexOf('pre:regen_apache/10-configtest.sh'), names.indexOf('post:regen_apache/10-configtest.sh') + 1);
      expect(around.slice(1, -1)).toEqual(['regen_apache', 'regen_apache', 'regen_apache', 'regen_apache']);
      expect(names.slice(-4)).toEqual(['install_service_apache2', 'restart_apache_listen', 'reload_apache2', 'post:setup_apache/10-log-done.sh']);
      expect(steps(first, host, 'unchanged')).toEqual(['test_apache_config', 'test_apache_port', 'test_apache_http']);
    }
    expect(await sshRun(fleet, 'host1', "sed 's/^[^ ]* //' /var/log/drover-hooks.log; ls /etc/apache2/sites-enabled")).toBe(
      'host1 pre setup_apache: starting\nhost1 pre regen_apache: checking the current config\n'
      + 'host1 post regen_apache: checking the new config\nhost1 post setup_apache: done\nexample.conf\n',
    );

    const web1 = await index(host1.address, 80);
    expect(web1.status).toBe(200);
    expect(web1.body).toContain('Served by web1 (debian, state production, tier frontend, fra1).');
    const web2 = await index(host2.address, 8080);
    expect(web2.status).toBe(200);
    expect(web2.body).toContain('Served by web2 (debian, state default, tier frontend, ams1).');
    await expect(fetch(`http://${host2.address}:80/`)).rejects.toThrow();

    expect(await sshRun(fleet, 'host1', `head -n 1 ${SITE}`)).toContain('templates/apache/production/site.conf');
    expect(await sshRun(fleet, 'host2', `head -n 1 ${SITE}`)).toContain('templates/apache/default/site.conf');
    // Live, not only on disk: production says nothing about the server, default signs its error pages.
    expect(await rawGet(host1.address, 80, '/nope')).not.toContain('Server at');
    expect(await rawGet(host2.address, 8080, '/nope')).toContain('Server at www.example.com');
  }, SLOW);

  it('changes nothing on a second run, and plan exits 0', async () => {
    const before = await apache('host2');
    const second = await runDrover(['reconcile', repo, '--yes', '--host', 'web1', '--host', 'web2', ...fleetSshFlags(fleet)]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('web1 (');
    expect(second.stdout.match(/in sync, nothing to do/g)).toHaveLength(2);
    const plan = await runDrover(['plan', repo, '--host', 'web1', '--host', 'web2', ...fleetSshFlags(fleet)]);
    expect(plan.code).toBe(0);
    expect(await apache('host2')).toEqual(before);
  }, SLOW);

  it('reloads Apache for a config change (same master process) and not for a content change', async () => {
    const start = await apache('host2');
    expect(start.pid).toMatch(/^[1-9]\d*$/);

    await patchHostFile(repo, 'web2', { data: { banner: 'Fresh banner' } });
    const content = await reconcile(['web2']);
    expect(content.code).toBe(0);
    expect(steps(content, 'web2')).toEqual(['pre:setup_apache/10-log-start.sh', 'backup_var_www_example_index_html', 'regen_var_www_example_index_html', 'post:setup_apache/10-log-done.sh']);
    expect((await index(host2.address, 8080)).body).toContain('<h1>Fresh banner</h1>');
    expect(await apache('host2')).toEqual(start);

    await patchHostFile(repo, 'web2', { params: { apache: { server_name: 'www2.example.com' } } });
    const config = await reconcile(['web2']);
    expect(config.code).toBe(0);
    expect(steps(config, 'web2')).toContain('reload_apache2');
    expect(steps(config, 'web2')).not.toContain('restart_apache_listen');
    await eventually(async () => (await rawGet(host2.address, 8080, '/nope')).includes('Server at www2.example.com'), 'the new ServerName to be live');
    expect(await apache('host2')).toEqual({ pid: start.pid, reloads: start.reloads + 1 });
  }, SLOW);

  it('refuses a config that fails `apachectl -t` (post hook): previous files back, Apache serving', async () => {
    const before = { site: await sshRun(fleet, 'host2', `cat ${SITE}`), apache: await apache('host2') };
    await patchHostFile(repo, 'web2', { params: { apache: { server_admin: 'webmaster@example.com oops' } } });
    const run = await reconcile(['web2']);
    expect(run.code).toBe(3);
    expect(steps(run, 'web2', 'failed')).toEqual(['post:regen_apache/10-configtest.sh']);
    expect(steps(run, 'web2', 'restored')).toEqual(['regen_apache']);
    const r = run.hosts[0];
    expect(r && 'apply' in r ? r.apply?.restored : undefined).toEqual([SITE]);
    expect(steps(run, 'web2', 'skipped')).toContain('reload_apache2');
    expect(await sshRun(fleet, 'host2', `cat ${SITE}`)).toBe(before.site);
    expect(await apache('host2')).toEqual(before.apache);
    expect((await index(host2.address, 8080)).status).toBe(200);
    await patchHostFile(repo, 'web2', { params: { apache: { server_admin: 'webmaster@example.com' } } });
  }, SLOW);

  it('refuses to touch a config broken by hand (pre hook): earlier changes put back, Apache serving', async () => {
    await sshRun(fleet, 'host2', 'echo "NotADirective here" > /etc/apache2/conf-enabled/zz-hand-edit.conf');
    const before = { site: await sshRun(fleet, 'host2', `cat ${SITE}`), index: await sshRun(fleet, 'host2', `cat ${INDEX}`), apache: await apache('host2') };
    await patchHostFile(repo, 'web2', { params: { apache: { server_name: 'www3.example.com' } } });
    const run = await reconcile(['web2']);
    expect(run.code).toBe(3);
    expect(steps(run, 'web2', 'failed')).toEqual(['pre:regen_apache/10-configtest.sh']);
    expect(steps(run, 'web2', 'restored')).toEqual(['regen_var_www_example_index_html']);
    expect(await sshRun(fleet, 'host2', `cat ${SITE}; cat ${INDEX}`)).toBe(before.site + before.index);
    expect(await apache('host2')).toEqual(before.apache);
    expect((await index(host2.address, 8080)).body).toContain('<title>www2.example.com</title>');

    await sshRun(fleet, 'host2', 'rm /etc/apache2/conf-enabled/zz-hand-edit.conf');
    const fixed = await reconcile(['web2']);
    expect(fixed.code).toBe(0);
    await eventually(async () => (await rawGet(host2.address, 8080, '/nope')).includes('Server at www3.example.com'), 'the new ServerName to be live');
  }, SLOW);

  it('refuses web3 (platform rhel) on a Debian host with E_PLATFORM_MISMATCH; web1 is unaffected', async () => {
    const run = await reconcile(['web1', 'web3']);
    expect(run.code).toBe(3);
    const [web1, web3] = run.hosts;
    expect(web1 && !('error' in web1) && web1.apply === undefined).toBe(true);
    expect(web3 && 'error' in web3 ? web3.error : undefined).toEqual({
      code: 'E_PLATFORM_MISMATCH', unreachable: false,
      message: 'web3: declared platform rhel, but the host runs debian 12 (family debian); nothing planned for it: '
        + 'correct `platform:` for web3 in the manifests or point it at a rhel-family host',
    });
    expect(await sshRun(fleet, 'host1', 'test -e /etc/httpd && echo httpd || echo none')).toBe('none\n');
    const alone = await runDrover(['plan', repo, '--host', 'web3', ...fleetSshFlags(fleet)]);
    expect(alone.code).toBe(3);
    expect(alone.stdout).toMatch(/web3\s+failed .*E_PLATFORM_MISMATCH/);
    const both = await runDrover(['plan', repo, '--host', 'web1', '--host', 'web3', ...fleetSshFlags(fleet)]);
    expect(both.code).toBe(3);
    expect(both.stdout).toContain(`! web3 (${host1.address}:22): not planned: web3: declared platform rhel`);
  }, SLOW);
});

/** The fact a fresh host would show for a resource: nothing installed, nothing written. */
function freshFact(r: DesiredResource): Fact {
  switch (r.kind) {
    case 'package': return { kind: 'package', installed: false };
    case 'line': return { kind: 'line', fileExists: false, present: false, matches: 0, lineCount: 0 };
    case 'service': return { kind: 'service', manager: 'systemd', known: false, enabled: false, active: false, live: true };
    case 'command': return { kind: 'command' };
    case 'file': case 'directory': case 'symlink': return { kind: r.kind, exists: false, type: 'absent' };
    default: throw new Error(`no fresh fact for ${r.kind}`);
  }
}

describe('web3 (platform rhel) without a RHEL host', () => {
  it('plans httpd, conf.d and the Listen line for a fresh Rocky 9 host', async () => {
    const { hosts } = await loadRepository(join(ROOT, 'examples/web-fleet'));
    const web3 = hosts.find((h) => h.host.name === 'web3')!;
    const observed: ObservedState = {
      host: 'web3', observedAt: '2025-01-01T00:00:00.000Z',
      platform: { id: 'rocky', family: 'rhel', version: '9.4', packageManager: 'dnf', initSystem: 'systemd' },
      resources: Object.fromEntries(web3.resources.map((r) => [r.id, freshFact(r)])),
    };
    expect(web3.resources.find((r) => r.kind === 'line')?.spec.line).toBe('Listen 80');
    expect(web3.resources.find((r) => r.id === 'file:/etc/httpd/conf.d/example.conf')?.content?.text).toContain('ErrorLog /var/log/httpd/example-error.log');
    const plan = planHost(web3, observed);
    expect(plan.steps.map((s) => `${s.name} ${s.action}: ${s.resource}`)).toMatchInlineSnapshot(`
      [
        "install_dir_var_www_example create: directory:/var/www/example",
        "yum_httpd create: package:httpd",
        "regen_var_www_example_index_html create: file:/var/www/example/index.html",
        "regen_apache create: file:/etc/httpd/conf.d/example.conf",
        "regen_apache create: line:/etc/httpd/conf/httpd.conf:^Listen ",
        "install_service_httpd create: service:httpd",
        "restart_apache_listen update: command:restart-apache-listen",
        "reload_httpd update: service:httpd",
        "test_apache_config none: test:apache/config",
        "test_apache_port none: test:apache/port",
        "test_apache_http none: test:apache/http",
      ]
    `);
  });
});
