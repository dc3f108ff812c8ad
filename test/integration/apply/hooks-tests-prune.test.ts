/**
 * Hook scripts around steps and role groups, role tests after apply (command, TCP, HTTP checked from the
 * host), and pruning of resources dropped from the manifests (only with settings.prune, only what
 * drover's inventory lists).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { DesiredResource, DesiredState } from '../../../manifests/types.js';
import { desiredState, file, resource } from '../../support/desired.js';
import { useFleetHost } from '../../support/fleet.js';
import { converge, sh, statuses } from './support.js';

const host = useFleetHost({ name: 'apply-extras' });

const origin = { file: 'roles/web.yaml', line: 1, col: 1 };

describe('hooks and tests', () => {
  function desired(content: string): DesiredState {
    const state = desiredState('host1', [
      resource('directory', '/srv/hk', { path: '/srv/hk' }, { role: 'web' }),
      file('/srv/hk/app.conf', content),
    ]);
    const hook = (phase: 'pre' | 'post', step: string) => ({ phase, step, name: `${phase}.sh`, script: `echo "${phase} $DROVER_STEP $DROVER_HOST" >> /srv/hooks.log\n` });
    state.hooks = [hook('pre', 'setup_web'), hook('post', 'setup_web'), hook('pre', 'regen_srv_hk_app_conf'), hook('post', 'regen_srv_hk_app_conf')];
    state.tests = [
      { role: 'web', name: 'config', command: 'grep -qx ok /srv/hk/app.conf', origin },
      { role: 'web', name: 'ssh', tcp: { host: host.fleet.hosts[0]!.address, port: 22 }, origin },
      { role: 'web', name: 'http', http: { url: 'http://127.0.0.1:9/', status: 200 }, origin },
    ];
    return state;
  }

  it('runs hooks around their step and group only when they do work, and tests after apply', async () => {
    const { result } = await converge(desired('ok\n'), host.ssh);
    expect(result.steps.map((s) => [s.name, s.status])).toEqual([
      ['pre:setup_web/pre.sh', 'changed'], ['install_dir_srv_hk', 'changed'], ['post:setup_web/post.sh', 'changed'],
      ['pre:regen_srv_hk_app_conf/pre.sh', 'changed'], ['regen_srv_hk_app_conf', 'changed'], ['post:regen_srv_hk_app_conf/post.sh', 'changed'],
      ['test_web_config', 'unchanged'], ['test_web_ssh', 'unchanged'], ['test_web_http', 'failed'],
    ]);
    expect(result.ok).toBe(false);
    expect(result.steps.at(-1)?.stderr).toBe('drover: http://127.0.0.1:9/ answered HTTP 000, expected 200');
    expect(await sh(host.ssh, 'cat /srv/hooks.log')).toBe('pre setup_web host1\npost setup_web host1\npre regen_srv_hk_app_conf host1\npost regen_srv_hk_app_conf host1\n');

    const again = await converge(desired('ok\n'), host.ssh);
    expect(statuses(again.result)).toEqual({ install_dir_srv_hk: 'unchanged', regen_srv_hk_app_conf: 'unchanged', test_web_config: 'unchanged', test_web_ssh: 'unchanged', test_web_http: 'failed' });
    const failing = await converge(desired('broken\n'), host.ssh);
    expect(statuses(failing.result)).toMatchObject({ regen_srv_hk_app_conf: 'changed', test_web_config: 'failed' });
    expect(await sh(host.ssh, 'cat /srv/hk/app.conf; wc -l < /srv/hooks.log')).toBe('broken\n6\n');
  });
});

describe('pruning', () => {
  const all: DesiredResource[] = [
    resource('directory', '/srv/p', { path: '/srv/p' }),
    resource('directory', '/srv/p/empty', { path: '/srv/p/empty' }),
    resource('directory', '/srv/p/full', { path: '/srv/p/full' }),
    file('/srv/p/keep.conf', 'keep\n'),
    file('/srv/p/drop.conf', 'drop\n'),
    resource('symlink', '/srv/p/link', { path: '/srv/p/link', target: 'keep.conf' }),
    resource('cron', 'old', { name: 'old', schedule: '@daily', command: 'true' }),
  ];
  const kept = all.filter((r) => ['directory:/srv/p', 'file:/srv/p/keep.conf'].includes(r.id));
  const withPrune = (resources: DesiredResource[], prune: boolean): DesiredState => {
    const state = desiredState('host1', resources);
    state.settings = { ...state.settings, prune };
    return state;
  };

  it('removes only what the inventory lists and the manifests dropped, and only when prune is on', async () => {
    await converge(withPrune(all, false), host.ssh);
    await sh(host.ssh, 'touch /srv/p/full/user-file /srv/p/unmanaged');
    const off = await converge(withPrune(all.filter((r) => r.id !== 'file:/srv/p/drop.conf'), false), host.ssh);
    expect(off.result.steps.every((s) => s.status === 'unchanged')).toBe(true);
    expect(await sh(host.ssh, 'ls /srv/p')).toBe('drop.conf\nempty\nfull\nkeep.conf\nlink\nunmanaged\n');

    const on = await converge(withPrune(kept, true), host.ssh);
    expect(statuses(on.result)).toEqual({
      install_dir_srv_p: 'unchanged', regen_srv_p_keep_conf: 'unchanged',
      clean_directory_srv_p_empty: 'changed', clean_directory_srv_p_full: 'unchanged', clean_symlink_srv_p_link: 'changed', clean_cron_old: 'changed',
    });
    expect(await sh(host.ssh, 'ls /srv/p /srv/p/full; ls /etc/cron.d | grep -c drover || :')).toBe('/srv/p:\ndrop.conf\nfull\nkeep.conf\nunmanaged\n\n/srv/p/full:\nuser-file\n0\n');
    expect(await sh(host.ssh, 'cat /var/lib/drover/inventory')).toBe('"directory:/srv/p"\n"file:/srv/p/keep.conf"\n');
    expect(execFileSync('find', [host.fleet.hosts[0]!.rootDir, '-name', '.drover-tmp*'], { encoding: 'utf8' })).toBe('');
    const again = await converge(withPrune(kept, true), host.ssh);
    expect(again.result.roundTrips).toBe(0);
  });
});
