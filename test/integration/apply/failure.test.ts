/**
 * applyPlan when things go wrong, and with hostile values: a failing step puts back every file changed
 * before it and leaves no temp file; a notification recorded before the failure fires on the next run;
 * quotes, `$()` and newlines in paths and contents are written literally.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { restoreFromBackup } from '../../../controller/apply/restore.js';
import { verifyConverged } from '../../../controller/apply/verify.js';
import type { DesiredResource } from '../../../manifests/types.js';
import { desiredState, file, resource } from '../../support/desired.js';
import { useFleetHost } from '../../support/fleet.js';
import { converge, sh, statuses } from './support.js';

const host = useFleetHost({ name: 'apply-failure' });

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Names under the host's overlay upper dir matching a find expression (run from the machine). */
function findInHost(...expression: string[]): string {
  return execFileSync('find', [host.fleet.hosts[0]!.rootDir, ...expression], { encoding: 'utf8' });
}

describe('a failing step', () => {
  const reload = resource('command', 'reload', { name: 'reload', run: 'echo ran >> /srv/f/reloads', refreshOnly: true });
  const base = (a: string, b: string, extra: DesiredResource[] = []): DesiredResource[] => [
    resource('directory', '/srv/f', { path: '/srv/f' }),
    file('/srv/f/a.conf', a, { mode: '0600' }, []),
    file('/srv/f/b.conf', b),
    ...extra,
  ];
  const notifying = (resources: DesiredResource[]): DesiredResource[] =>
    resources.map((r) => (r.id === 'file:/srv/f/a.conf' ? { ...r, notify: ['command:reload'] } : r));

  it('restores every file changed before it, removes new ones, leaves no temp file and keeps the notification pending', async () => {
    // The first run creates a.conf, which notifies reload: it runs once.
    expect((await converge(desiredState('host1', notifying(base('a1\n', 'b1\n', [reload]))), host.ssh)).result.ok).toBe(true);
    const boom = resource('command', 'boom', { name: 'boom', run: 'echo boom-stderr >&2; exit 3', always: true });
    const failing = notifying(base('a2\n', 'b2\n', [file('/srv/f/c.conf', 'c1\n'), boom, reload]));
    const { result } = await converge(desiredState('host1', failing), host.ssh);
    expect(result.ok).toBe(false);
    expect(statuses(result)).toEqual({
      install_dir_srv_f: 'unchanged', backup_srv_f_a_conf: 'changed', regen_srv_f_a_conf: 'restored', backup_srv_f_b_conf: 'changed', regen_srv_f_b_conf: 'restored',
      regen_srv_f_c_conf: 'restored', install_command_boom: 'failed', install_command_reload: 'skipped',
    });
    expect(result.steps.find((s) => s.status === 'failed')?.stderr).toBe('boom-stderr');
    expect(result.restored.sort()).toEqual(['/srv/f/a.conf', '/srv/f/b.conf', '/srv/f/c.conf']);
    expect(await sh(host.ssh, 'cat /srv/f/a.conf /srv/f/b.conf; stat -c %a /srv/f/a.conf; ls /srv/f; cat /srv/f/reloads')).toBe('a1\nb1\n600\na.conf\nb.conf\nreloads\nran\n');
    expect(findInHost('-name', '.drover-tmp*')).toBe('');
    expect(findInHost('-name', '.run-*')).toBe('');
    expect(await sh(host.ssh, `cat /var/lib/drover/backups/${sha('a1\n')}; cat /var/lib/drover/pending`)).toBe('a1\ncommand:reload\n');
  });

  it('fires the pending notification on the next run, even when nothing else changes, then forgets it', async () => {
    const desired = desiredState('host1', notifying(base('a1\n', 'b1\n', [reload])));
    const { plan, result } = await converge(desired, host.ssh);
    expect(plan.steps.filter((s) => s.action !== 'none').map((s) => [s.name, s.reasons])).toEqual([
      ['install_command_reload', ['runs: pending from an earlier run']],
    ]);
    expect(statuses(result)).toMatchObject({ install_command_reload: 'changed' });
    expect(await sh(host.ssh, 'cat /srv/f/reloads; ls /var/lib/drover')).toBe('ran\nran\nbackups\ninventory\nlock\npristine\n');
    expect((await verifyConverged(desired, host.ssh)).inSync).toBe(true);
  });
});

describe('a run cancelled or cut off mid-way', () => {
  it('still finishes on the host: it restores what it changed and removes its temp files', async () => {
    const declared = [resource('directory', '/srv/c', { path: '/srv/c' }), file('/srv/c/app.conf', 'old\n')];
    await converge(desiredState('host1', declared), host.ssh);
    const slowFailure = [
      resource('directory', '/srv/c', { path: '/srv/c' }), file('/srv/c/app.conf', 'new\n'),
      resource('command', 'slow', { name: 'slow', run: 'touch /srv/c/slow-started; sleep 2; exit 1', always: true }),
    ];
    const controller = new AbortController();
    const run = converge(desiredState('host1', slowFailure), host.ssh, { signal: controller.signal });
    await expect.poll(() => sh(host.ssh, 'ls /srv/c'), { timeout: 10_000, interval: 50 }).toContain('slow-started');
    controller.abort();
    await expect(run).rejects.toMatchObject({ code: 'E_CANCELLED' });
    await expect.poll(() => findInHost('-name', '.run-*'), { timeout: 10_000, interval: 100 }).toBe('');
    expect(await sh(host.ssh, 'cat /srv/c/app.conf')).toBe('old\n');
    expect(findInHost('-name', '.drover-tmp*')).toBe('');
  });

  it('refuses a second apply while one runs (E_APPLY_BUSY)', async () => {
    const slow = [resource('command', 'slow2', { name: 'slow2', run: 'touch /srv/c/slow2; sleep 2', always: true })];
    const first = converge(desiredState('host1', slow), host.ssh);
    await expect.poll(() => sh(host.ssh, 'ls /srv/c'), { timeout: 10_000, interval: 50 }).toContain('slow2');
    await expect(converge(desiredState('host1', slow), host.ssh)).rejects.toMatchObject({ code: 'E_APPLY_BUSY' });
    expect((await first).result.ok).toBe(true);
  });
});

describe('restore_* on demand', () => {
  it('puts back a chosen revision from the backup store with its mode and owner, keeping `backups` revisions', async () => {
    const at = (v: string, backups = 2) => ({ ...desiredState('host1', [resource('directory', '/srv/r', { path: '/srv/r' }), file('/srv/r/x.conf', v, { mode: '0640' })]), settings: { backups, prune: false, concurrency: 1 } });
    for (const v of ['v1\n', 'v2\n', 'v3\n', 'v4\n']) expect((await converge(at(v), host.ssh)).result.ok).toBe(true);
    expect(await sh(host.ssh, `wc -l < /var/lib/drover/backups/index/${sha('/srv/r/x.conf')}; ls /var/lib/drover/backups | grep -c ${sha('v1\n')} || :`)).toBe('2\n0\n');
    expect(await restoreFromBackup({ transport: host.ssh, path: '/srv/r/x.conf', revision: 2 })).toEqual({ name: 'restore_x_conf', resource: 'file:/srv/r/x.conf', status: 'changed', durationMs: expect.any(Number) });
    expect(await sh(host.ssh, 'cat /srv/r/x.conf; stat -c %a /srv/r/x.conf')).toBe('v2\n640\n');
    const missing = await restoreFromBackup({ transport: host.ssh, path: '/srv/r/x.conf', revision: 3 });
    expect(missing).toMatchObject({ status: 'failed', stderr: 'drover: backup revision not found' });
    expect(await sh(host.ssh, 'cat /srv/r/x.conf')).toBe('v2\n');
  });
});

describe('hostile values', () => {
  const dir = `/srv/h/it's "q" $(touch PWNED) \`touch PWNED\``;
  const name = `${dir}/new\nline $(touch PWNED).conf`;
  const content = `$(touch PWNED) \`touch PWNED\` '"\\\n{{ not a secret }}\nlast line without newline`;
  const env = `$(touch PWNED) ' " \\ \n; touch PWNED`;

  it('writes paths, contents, link targets, lines and env values literally', async () => {
    const desired = desiredState('host1', [
      resource('directory', '/srv/h', { path: '/srv/h' }),
      resource('directory', dir, { path: dir, mode: '0700' }),
      file(name, content, { mode: '0644' }),
      resource('symlink', `${dir}/link`, { path: `${dir}/link`, target: `../$(touch PWNED)\n'x'` }),
      resource('line', `${dir}/l.conf:^x=`, { path: `${dir}/l.conf`, line: `x='$(touch PWNED)' "\\1" &`, regexp: '^x=', create: true }),
      resource('command', 'env', { name: 'env', run: 'printf "%s" "$V" > "$OUT"', env: { V: env, OUT: `${dir}/env.out` }, creates: `${dir}/env.out` }),
    ]);
    const { result } = await converge(desired, host.ssh);
    expect(result.steps.filter((s) => s.status !== 'changed')).toEqual([]);
    const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    expect(await sh(host.ssh, `cat ${q(name)}`)).toBe(content);
    expect(await sh(host.ssh, `readlink ${q(`${dir}/link`)}; cat ${q(`${dir}/l.conf`)} ${q(`${dir}/env.out`)}`)).toBe(`../$(touch PWNED)\n'x'\nx='$(touch PWNED)' "\\1" &\n${env}`);
    expect(findInHost('-name', 'PWNED')).toBe('');
    expect((await verifyConverged(desired, host.ssh)).inSync).toBe(true);
  });
});
