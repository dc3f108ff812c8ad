import { describe, expect, it } from 'vitest';
import { buildWorkAction } from '../../../controller/apply/actions/index.js';
import { assembleMain } from '../../../controller/apply/script.js';
import { buildProbe } from '../../../controller/facts/probe.js';
import { HOST_SH_LIBRARY, runCommandSh } from '../../../controller/transport/host-sh.js';
import { desiredState, resource } from '../../support/desired.js';

const SHARED = ['_hx', '_hxs', '_tmo', '_asuser', '_runas'];
const definitions = (script: string, name: string): number => script.split('\n').filter((l) => l.startsWith(`${name}() {`)).length;

describe('one host shell library for the probe and the apply script', () => {
  const command = resource('command', 'migrate', {
    name: 'migrate', run: './manage.py migrate', cwd: '/srv/app', user: 'app', env: { MODE: 'prod' }, unless: 'test -f .migrated', timeout: 20,
  });
  const probe = buildProbe([command], { token: 'droverunit0123456789', guardTimeoutSec: 30 });
  const apply = assembleMain({ token: 'droverunit0123456789', functions: [], calls: [], onSuccess: [], resources: [] });

  it('both carry the library once, and define none of its functions a second time', () => {
    expect(probe).toContain(HOST_SH_LIBRARY);
    expect(apply).toContain(HOST_SH_LIBRARY);
    for (const name of SHARED) {
      expect(definitions(probe, name), `${name} in the probe`).toBe(1);
      expect(definitions(apply, name), `${name} in the apply script`).toBe(1);
    }
  });

  it('runs a guard the same way in the probe and before the command runs (user switch, cwd, env, time cap)', () => {
    const same = runCommandSh({ cwd: '/srv/app', user: 'app', env: { MODE: 'prod' } }, 'test -f .migrated', 20);
    expect(same).toBe("( cd /srv/app || exit 126; export MODE=prod; _runas app 20 sh -c 'test -f .migrated' )");
    expect(probe).toContain(same);
    const context = { desired: desiredState('web1', [command]), observed: { host: 'web1', platform: { id: 'debian', family: 'debian' as const, version: '12', packageManager: 'apt' as const, initSystem: 'other' as const }, resources: {}, observedAt: '' }, notified: false, stage: () => '"$W/f0"' };
    const step = { name: 'install_command_migrate', phase: 'install' as const, group: 'g', resource: command.id, kind: 'command' as const, action: 'update' as const, reasons: [], notifies: [] };
    expect(buildWorkAction(command, step, context).guard).toBe(`! ${same}`);
  });
});
