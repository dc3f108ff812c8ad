import { describe, expect, it } from 'vitest';
import { nameSteps, stepName } from '../../../controller/plan/naming.js';
import type { DesiredResource, ResourceKind } from '../../../manifests/types.js';

function resource(kind: ResourceKind, key: string, spec: Record<string, unknown> = {}, step?: string): DesiredResource {
  return {
    id: `${kind}:${key}`, kind, key, spec: { kind, ...spec }, origin: { file: 'roles/app.yaml', line: 1, col: 1 }, dependsOn: [], notify: [],
    ...(step === undefined ? {} : { step }),
  } as unknown as DesiredResource;
}

describe('step names depend on the resource alone', () => {
  const accept = resource('directory', '/srv/accept');

  it('adding a neighbour with the same path tail renames nothing (was install_dir_accept -> install_dir_srv_accept)', () => {
    const alone = nameSteps([accept], 'debian').get(accept.id);
    const withNeighbour = nameSteps([accept, resource('directory', '/etc/accept')], 'debian');
    expect(alone).toBe('install_dir_srv_accept');
    expect(withNeighbour.get(accept.id)).toBe(alone);
    expect(withNeighbour.get('directory:/etc/accept')).toBe('install_dir_etc_accept');
  });

  it('is the same on every host of a platform family, whatever else the host declares', () => {
    const conf = resource('file', '/etc/nginx/nginx.conf');
    const hostA = [conf, resource('file', '/etc/app/nginx.conf'), resource('package', 'nginx')];
    const hostB = [resource('line', '/etc/hosts:127.0.0.1 app', { path: '/etc/hosts' }), conf];
    expect(nameSteps(hostA, 'debian').get(conf.id)).toBe('regen_etc_nginx_nginx_conf');
    expect(nameSteps(hostB, 'debian').get(conf.id)).toBe('regen_etc_nginx_nginx_conf');
  });

  it('names every kind after the seed conventions', () => {
    const cases: [DesiredResource, string][] = [
      [resource('package', 'nginx'), 'aptget_nginx'],
      [resource('file', '/etc/nginx/nginx.conf'), 'regen_etc_nginx_nginx_conf'],
      [resource('symlink', '/etc/nginx/sites-enabled/app'), 'regen_etc_nginx_sites_enabled_app'],
      [resource('line', '/etc/ssh/sshd_config:PermitRootLogin no', { path: '/etc/ssh/sshd_config' }), 'regen_line_etc_ssh_sshd_config'],
      [resource('directory', '/'), 'install_dir_root'],
      [resource('git', '/srv/app/src'), 'install_git_srv_app_src'],
      [resource('ssh_key', '/home/deploy/.ssh/id_ed25519'), 'install_ssh_key_home_deploy_ssh_id_ed25519'],
      [resource('user', 'django'), 'install_user_django'],
      [resource('group', 'www-data'), 'install_group_www_data'],
      [resource('service', 'nginx'), 'install_service_nginx'],
      [resource('command', 'migrate'), 'install_command_migrate'],
      [resource('secret', 'db_password'), 'install_secret_db_password'],
      [resource('cron', 'backup'), 'regen_backup'],
      [resource('sysctl', 'net.ipv4.ip_forward'), 'regen_net_ipv4_ip_forward'],
      [resource('file', '/etc/apache2/ports.conf', {}, 'regen_apache'), 'regen_apache'],
    ];
    for (const [r, name] of cases) expect(stepName(r, 'debian'), r.id).toBe(name);
  });

  it('takes the package verb from the declared platform family', () => {
    const nginx = resource('package', 'nginx');
    expect(['debian', 'rhel', 'alpine'].map((f) => stepName(nginx, f))).toEqual(['aptget_nginx', 'yum_nginx', 'apk_nginx']);
  });

  it('lets resources whose names coincide share the step (as `step:` does), instead of numbering them by position', () => {
    const lines = [
      resource('line', '/etc/ssh/sshd_config:PermitRootLogin no', { path: '/etc/ssh/sshd_config' }),
      resource('line', '/etc/ssh/sshd_config:PasswordAuthentication no', { path: '/etc/ssh/sshd_config' }),
    ];
    expect([...nameSteps(lines, 'debian').values()]).toEqual(['regen_line_etc_ssh_sshd_config', 'regen_line_etc_ssh_sshd_config']);
    expect([...nameSteps([...lines].reverse(), 'debian').values()]).toEqual(['regen_line_etc_ssh_sshd_config', 'regen_line_etc_ssh_sshd_config']);
  });
});
