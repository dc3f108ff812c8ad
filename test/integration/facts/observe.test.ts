import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { observeHost } from '../../../controller/facts/observe.js';
import type { FileFact, ObservedState } from '../../../controller/facts/types.js';
import { shellQuote as q } from '../../../controller/transport/shell.js';
import type { Transport } from '../../../controller/transport/types.js';
import { DroverError } from '../../../manifests/errors.js';
import { buildDeb } from '../../support/debs.js';
import { desiredState, resource } from '../../support/desired.js';
import { useFleet } from '../../support/fleet.js';
import { CountingTransport, setUp } from './support.js';

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const DIR = '/srv/facts';
const SECRET = `s3cr3t 'v@lue' $(x)`;

/** The same resources on every host; each host gets a different state prepared. */
function hostResources(i: number) {
  return [
    resource('package', 'drover-facts-test', { name: 'drover-facts-test', state: 'present' }),
    resource('package', 'bash', { name: 'bash' }),
    resource('package', 'cowsay', { name: 'cowsay' }),
    resource('user', 'app', { name: 'app' }),
    resource('group', 'ops', { name: 'ops' }),
    resource('directory', `${DIR}/data`, { path: `${DIR}/data`, mode: '0750' }),
    resource('file', `${DIR}/app.conf`, { path: `${DIR}/app.conf` }),
    resource('file', `${DIR}/absent`, { path: `${DIR}/absent` }),
    resource('symlink', `${DIR}/current`, { path: `${DIR}/current`, target: `releases/${i}` }),
    resource('line', `${DIR}/app.conf:port=80`, { path: `${DIR}/app.conf`, line: 'port=80' }),
    resource('command', 'init', { name: 'init', run: 'true', creates: `${DIR}/app.conf`, unless: `grep -q host=${i} ${DIR}/app.conf` }),
    resource('secret', 'db', { name: 'db', path: `${DIR}/db.secret` }),
    resource('file', `${DIR}/db.conf`, { path: `${DIR}/db.conf` }, { content: { text: '', sha256: '', secrets: ['db'] } }),
  ];
}

/** Host i: app.conf differs per host; even hosts have the package, data dir and group; odd hosts the user. */
function prepareScript(i: number): string {
  const even = i % 2 === 0;
  return [
    `mkdir -p ${DIR}/releases/${i} && cd ${DIR}`,
    `printf 'host=${i}\\nport=80\\n' > app.conf && chmod ${even ? '0644' : '0600'} app.conf`,
    `ln -s releases/${i} current`,
    `printf '%s\\n' ${q(SECRET)} > db.secret && chmod 0600 db.secret`,
    `printf 'password=%s\\n' ${q(SECRET)} > db.conf`,
    even ? 'mkdir -m 0750 data && groupadd -g 2500 ops && dpkg -i /root/t.deb >/dev/null' : 'useradd -u 1600 -d /srv/app -s /bin/sh app',
  ].join('\n');
}

describe('observeHost on fleet hosts', () => {
  const env = useFleet({ count: 5, name: 'facts' });
  let transports: Transport[] = [];

  beforeAll(async () => {
    transports = await Promise.all(env.fleet.hosts.map((_, i) => env.connect(i)));
    const deb = buildDeb('drover-facts-test', '1.0-1');
    await Promise.all(transports.map(async (t, i) => {
      if (i % 2 === 0) await t.upload('/root/t.deb', deb, { mode: '0644' });
      await setUp(t, prepareScript(i));
    }));
  });

  it('observes 5 hosts in parallel, one run() each, with each host\'s own state', async () => {
    const counting = transports.map((t) => new CountingTransport(t));
    const states = await Promise.all(counting.map((t, i) => observeHost(desiredState(env.fleet.hosts[i]!.name, hostResources(i)), t)));
    expect(counting.map((t) => t.runs.length)).toEqual([1, 1, 1, 1, 1]);
    states.forEach((state, i) => checkHost(state, i));
    for (const t of counting) expect(t.runs[0]!.stdout.toString()).not.toContain('v@lue');
  });

  it('reads hostile names, contents and link targets without running them', async () => {
    const t = transports[0]!;
    const names = ['with space', `qu'ote"d`, 'new\nline', '$(touch PWNED)', '`touch PWNED`', '-n', 'ünï'];
    const bytes = Buffer.from([0xff, 0x00, 0x0a, 0xfe, 0x80]);
    await setUp(t, `mkdir -p ${DIR}/hostile`);
    for (const name of names) await t.upload(`${DIR}/hostile/${name}`, Buffer.concat([Buffer.from(name), bytes]), { mode: '0640' });
    await setUp(t, `ln -s "$(printf 'bad\\377target')" ${DIR}/hostile/link`);
    const resources = [
      ...names.map((n) => resource('file', `${DIR}/hostile/${n}`, { path: `${DIR}/hostile/${n}` })),
      resource('symlink', `${DIR}/hostile/link`, { path: `${DIR}/hostile/link`, target: 'x' }),
    ];
    const state = await observeHost(desiredState('host1', resources), t);
    for (const name of names) {
      expect(state.resources[`file:${DIR}/hostile/${name}`]).toMatchObject({
        kind: 'file', type: 'file', mode: '0640', sha256: sha256(Buffer.concat([Buffer.from(name), bytes])),
      });
    }
    expect(state.resources[`symlink:${DIR}/hostile/link`]).toMatchObject({ type: 'symlink', target: 'bad\\xfftarget' });
    const pwned = await t.run(`find / /root /tmp ${DIR} -maxdepth 2 -name PWNED`);
    expect(pwned.stdout.toString()).toBe('');
  });

  it('reads drover\'s pending notifications and inventory, whatever their size', async () => {
    const t = transports[1]!;
    const ids = Array.from({ length: 2000 }, (_, k) => `file:${DIR}/f${k} ünï "q"`);
    await setUp(t, 'mkdir -p /var/lib/drover');
    await t.upload('/var/lib/drover/pending', Buffer.from('service:nginx\ncommand:x y\nservice:nginx'), { mode: '0644' });
    await t.upload('/var/lib/drover/inventory', Buffer.from(`${ids.map((id) => JSON.stringify(id)).join('\n')}\nnot json\n`), { mode: '0644' });
    const state = await observeHost(desiredState('host2', []), t);
    expect(state.pending).toEqual(['service:nginx', 'command:x y']);
    expect(state.inventory).toEqual(ids);
    await setUp(t, 'rm -r /var/lib/drover');
    const clean = await observeHost(desiredState('host2', []), t);
    expect([clean.pending, clean.inventory]).toEqual([undefined, undefined]);
  });

  it('fails with E_PROBE_FAILED and stderr when the probe cannot run', async () => {
    const broken: Transport = { host: 'host1', run: (_c, o) => transports[0]!.run('echo nope >&2; exit 3', o), upload: () => Promise.resolve(), close: () => Promise.resolve() };
    const error = await observeHost(desiredState('host1', []), broken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DroverError);
    expect(error).toMatchObject({ code: 'E_PROBE_FAILED', host: 'host1' });
    expect((error as DroverError).message).toContain('nope');
  });
});

function checkHost(state: ObservedState, i: number): void {
  const even = i % 2 === 0;
  const r = state.resources;
  expect(state.host).toBe(`host${i + 1}`);
  expect(state.platform).toEqual({ id: 'debian', family: 'debian', version: '12', packageManager: 'apt', initSystem: 'other' });
  expect(r['package:drover-facts-test']).toEqual(even ? { kind: 'package', installed: true, version: '1.0-1' } : { kind: 'package', installed: false });
  expect(r['package:bash']).toMatchObject({ installed: true });
  expect(r['package:cowsay']).toEqual({ kind: 'package', installed: false });
  expect(r['user:app']).toEqual(even ? { kind: 'user', exists: false, groups: [] } : {
    kind: 'user', exists: true, uid: 1600, gid: expect.any(Number), comment: '', home: '/srv/app', shell: '/bin/sh', primaryGroup: 'app', groups: [],
  });
  expect(r['group:ops']).toEqual(even ? { kind: 'group', exists: true, gid: 2500, members: [] } : { kind: 'group', exists: false, members: [] });
  expect(r[`directory:${DIR}/data`]).toMatchObject(even ? { exists: true, type: 'directory', mode: '0750' } : { exists: false, type: 'absent' });
  expect(r[`file:${DIR}/app.conf`]).toMatchObject({
    exists: true, type: 'file', mode: even ? '0644' : '0600', owner: 'root', size: `host=${i}\nport=80\n`.length, sha256: sha256(`host=${i}\nport=80\n`),
  });
  expect(r[`file:${DIR}/absent`]).toEqual({ kind: 'file', exists: false, type: 'absent' });
  expect(r[`symlink:${DIR}/current`]).toMatchObject({ type: 'symlink', target: `releases/${i}` });
  expect(r[`line:${DIR}/app.conf:port=80`]).toEqual({ kind: 'line', fileExists: true, present: true, matches: 0, lineCount: 1 });
  expect(r['command:init']).toEqual({ kind: 'command', createsExists: true, unlessStatus: 0, unlessOk: true });
  expect(r['secret:db']).toEqual({ kind: 'secret', exists: true, path: `${DIR}/db.secret`, mode: '0600', owner: 'root', group: 'root' });
  expect((r[`file:${DIR}/db.conf`] as FileFact).sha256).toBe(sha256('password={{drover-secret:db}}\n'));
}
