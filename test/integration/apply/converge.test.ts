/**
 * applyPlan on a real host, from scratch, for every kind but services (see service.test.ts): one round
 * trip converges the host, the next plan is in sync, and the next apply does nothing at all.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../../controller/apply/execute.js';
import { verifyConverged } from '../../../controller/apply/verify.js';
import { observeHost } from '../../../controller/facts/observe.js';
import { planHost } from '../../../controller/plan/plan-host.js';
import type { DesiredResource } from '../../../manifests/types.js';
import { buildDeb } from '../../support/debs.js';
import { desiredState, file, resource } from '../../support/desired.js';
import { useFleetHost } from '../../support/fleet.js';
import { CountingTransport } from '../facts/support.js';
import { converge, setUpLocalRepo, sh, statuses } from './support.js';

let commit: string;

const FILES = Array.from({ length: 30 }, (_, i) => file(`/srv/app/conf/d${i % 5}/f${i}.conf`, `# file ${i}\nvalue = ${i * 7}\n`, { mode: '0640', owner: 'app', group: 'app' }));

function resources(secretTemplate = 'password = {{drover-secret:db}}\n'): DesiredResource[] {
  return [
    resource('group', 'app', { name: 'app', system: true }),
    resource('user', 'app', { name: 'app', group: 'app', system: true, home: '/srv/app', shell: '/bin/sh', comment: 'drover app' }),
    resource('directory', '/srv/app', { path: '/srv/app', mode: '0755', owner: 'app', group: 'app' }),
    resource('directory', '/srv/app/conf', { path: '/srv/app/conf', mode: '0750', owner: 'app', group: 'app' }),
    ...[0, 1, 2, 3, 4].map((i) => resource('directory', `/srv/app/conf/d${i}`, { path: `/srv/app/conf/d${i}`, mode: '0750', owner: 'app', group: 'app' })),
    resource('package', 'drover-apply-a', { name: 'drover-apply-a' }),
    resource('secret', 'db', { name: 'db', length: 32, owner: 'app', mode: '0600' }),
    resource('ssh_key', '/srv/app/.ssh/id_ed25519', { path: '/srv/app/.ssh/id_ed25519', owner: 'app', group: 'app', comment: 'deploy@drover' }),
    resource('git', '/srv/app/src', { path: '/srv/app/src', repo: '/srv/origin.git', ref: commit, user: 'app' }),
    ...FILES,
    file('/srv/app/db.conf', secretTemplate, { mode: '0640', owner: 'app' }, ['db']),
    resource('symlink', '/srv/app/current', { path: '/srv/app/current', target: 'src' }),
    resource('line', '/etc/drover-apply.conf:^port=', { path: '/etc/drover-apply.conf', line: 'port=8080', regexp: '^port=' }),
    resource('cron', 'cleanup', { name: 'cleanup', schedule: '17 3 * * *', command: 'find /srv/app/tmp -delete', user: 'app' }),
    resource('sysctl', 'kernel.domainname', { key: 'kernel.domainname', value: 'drover.test' }),
    resource('command', 'init', { name: 'init', run: 'id -un > /srv/app/inited', creates: '/srv/app/inited', user: 'app', cwd: '/srv/app' }),
  ];
}

const host = useFleetHost({ name: 'apply-converge' });

beforeAll(async () => {
  await setUpLocalRepo(host.ssh, { a: buildDeb('drover-apply-a', '1.0-1') });
  await sh(host.ssh, 'printf "# unmanaged\\nport=80\\nport=81\\n" > /etc/drover-apply.conf');
  commit = (await sh(host.ssh, [
    'set -e; git init -q --bare /srv/origin.git; git config --system --add safe.directory /srv/origin.git; git init -q /tmp/w; cd /tmp/w; echo v1 > app.py; git add app.py',
    'git -c user.name=t -c user.email=t@example.com commit -q -m v1; git push -q /srv/origin.git HEAD:refs/heads/main; git -C /srv/origin.git symbolic-ref HEAD refs/heads/main',
    'git rev-parse HEAD',
  ].join('\n'))).trim();
});

describe('applyPlan converges a host from scratch', () => {
  it('changes every kind in one round trip; the next plan is in sync and the next apply does nothing', async () => {
    const desired = desiredState('host1', resources());
    const counting = new CountingTransport(host.ssh);
    const started = Date.now();
    const { plan, result } = await converge(desired, counting);
    const elapsed = Date.now() - started;
    expect(plan.inSync).toBe(false);
    expect(result.steps.filter((s) => s.status !== 'changed')).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.roundTrips).toBe(1);
    expect(counting.runs).toHaveLength(2); // the probe and the apply
    const slow = [...result.steps].sort((x, y) => y.durationMs - x.durationMs).slice(0, 3).map((s) => `${s.name} ${s.durationMs} ms`);
    console.log(`slowest: ${slow.join(', ')}`);
    console.log(`converge 1 host (${desired.resources.length} resources, 30 files): ${elapsed} ms observe+plan+apply, apply ${Math.round(result.durationMs)} ms`);

    const again = await verifyConverged(desired, host.ssh);
    expect(again.steps.filter((s) => s.action !== 'none' || s.mayChange)).toEqual([]);
    expect(again.inSync).toBe(true);
    const observed = await observeHost(desired, host.ssh);
    const second = await applyPlan({ desired, observed, plan: planHost(desired, observed), transport: counting });
    expect(second.roundTrips).toBe(0);
    expect(new Set(second.steps.map((s) => s.status))).toEqual(new Set(['unchanged']));
  });

  it('wrote what was declared, where the probe looks', async () => {
    expect(await sh(host.ssh, 'stat -c "%a %U %G" /srv/app/conf/d3/f8.conf; cat /srv/app/conf/d3/f8.conf')).toBe('640 app app\n# file 8\nvalue = 56\n');
    expect(await sh(host.ssh, 'getent passwd app | cut -d: -f5-7; cat /srv/app/inited')).toBe('drover app:/srv/app:/bin/sh\napp\n');
    expect(await sh(host.ssh, 'cat /etc/drover-apply.conf')).toBe('# unmanaged\nport=8080\n');
    expect(await sh(host.ssh, 'readlink /srv/app/current; git -c safe.directory=/srv/app/src -C /srv/app/src rev-parse HEAD; stat -c %U /srv/app/src/app.py')).toBe(`src\n${commit}\napp\n`);
    expect(await sh(host.ssh, 'cat /etc/cron.d/drover-cleanup; cat /proc/sys/kernel/domainname /etc/sysctl.d/99-drover-kernel.domainname.conf'))
      .toBe('# managed by drover: cron:cleanup\nSHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n17 3 * * * app find /srv/app/tmp -delete\ndrover.test\n# managed by drover: sysctl:kernel.domainname\nkernel.domainname = drover.test\n');
    expect(await sh(host.ssh, "dpkg-query -W -f '${Status}' drover-apply-a")).toBe('install ok installed');
    expect(await sh(host.ssh, 'stat -c "%a %U" /srv/app/.ssh /srv/app/.ssh/id_ed25519 /srv/app/.ssh/id_ed25519.pub')).toBe('700 app\n600 app\n644 app\n');
  });

  it('generates the secret once, substitutes it on the host, never shows it, and keeps it across runs', async () => {
    const secret = (await sh(host.ssh, 'cat /var/lib/drover/secrets/db')).trim();
    expect(secret).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(await sh(host.ssh, 'cat /srv/app/db.conf')).toBe(`password = ${secret}\n`);
    expect(await sh(host.ssh, 'stat -c "%a %U" /var/lib/drover/secrets/db')).toBe('600 app\n');
    const counting = new CountingTransport(host.ssh);
    const desired = desiredState('host1', resources('user = app\npassword = {{drover-secret:db}}\n'));
    const { result } = await converge(desired, counting);
    expect(statuses(result)).toMatchObject({ install_secret_db: 'unchanged', backup_srv_app_db_conf: 'changed', regen_srv_app_db_conf: 'changed' });
    expect(await sh(host.ssh, 'cat /srv/app/db.conf; cat /var/lib/drover/secrets/db')).toBe(`user = app\npassword = ${secret}\n${secret}\n`);
    for (const run of counting.runs) expect(run.stdout.toString()).not.toContain(secret);
    expect(JSON.stringify(result)).not.toContain(secret);
    expect((await verifyConverged(desired, host.ssh)).inSync).toBe(true);
  });

  it('reports the public half of the ssh key, generated or found', async () => {
    const pub = (await sh(host.ssh, 'cat /srv/app/.ssh/id_ed25519.pub')).trim();
    expect(pub).toMatch(/^ssh-ed25519 \S+ deploy@drover$/);
    const { result } = await converge(desiredState('host1', resources()), host.ssh);
    expect(result.publicKeys).toEqual([{ resource: 'ssh_key:/srv/app/.ssh/id_ed25519', path: '/srv/app/.ssh/id_ed25519', publicKey: pub }]);
  });
});
