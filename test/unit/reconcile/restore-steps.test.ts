/** restore_<x> steps (issue 11 #18): one per managed file, named after its work step, found by name. */
import { describe, expect, it } from 'vitest';
import { findRestoreSteps, restoreSteps } from '../../../controller/reconcile/restore-files.js';
import type { Plan, PlanStep } from '../../../controller/reconcile/types.js';
import { desiredState, resource } from '../../support/desired.js';

const step = (name: string, res: string, extra: Partial<PlanStep> = {}): PlanStep => ({
  name, phase: 'regen', group: 'setup_web', resource: res, kind: 'file', action: 'none', reasons: [], notifies: [], ...extra,
});
const file = (path: string, spec: Record<string, unknown> = {}) => resource('file', path, { path, content: 'x', ...spec });

const desired = desiredState('web1', [
  file('/etc/motd'), file('/srv/app/a.conf'), file('/srv/app/b.conf'), file('/srv/old.conf', { state: 'absent' }),
  resource('directory', '/srv/app', { path: '/srv/app' }),
  resource('directory', '/etc/sudoers.d', { path: '/etc/sudoers.d', purge: true }),
  resource('directory', '/etc/cron.d', { path: '/etc/cron.d', purge: 'report' }),
]);
const plan: Plan = {
  host: 'web1', inSync: true, summary: { create: 0, update: 0, delete: 0, unchanged: 5, mayChange: 0 },
  steps: [
    step('install_dir_app', 'directory:/srv/app', { phase: 'install', kind: 'directory' }),
    step('backup_motd', 'file:/etc/motd', { phase: 'backup' }),
    step('regen_motd', 'file:/etc/motd'),
    step('deploy_app', 'file:/srv/app/a.conf'), step('deploy_app', 'file:/srv/app/b.conf'),
    step('regen_old_conf', 'file:/srv/old.conf'),
    step('test_web_http', 'test:web/http', { phase: 'test', kind: 'test' }),
  ],
};

describe('restoreSteps', () => {
  it('gives one restore step per managed file (absent ones too), named after its work step, in plan order, then one per purged directory', () => {
    expect(restoreSteps(plan, desired).map((s) => [s.name, s.path, s.purged ?? false])).toEqual([
      ['restore_motd', '/etc/motd', false],
      ['restore_deploy_app', '/srv/app/a.conf', false],
      ['restore_deploy_app', '/srv/app/b.conf', false],
      ['restore_old_conf', '/srv/old.conf', false],
      ['restore_dir_etc_sudoers_d', '/etc/sudoers.d', true],
    ]);
  });

  it('finds every file of a shared step name, and names the restore steps there are for an unknown one', () => {
    expect(findRestoreSteps(plan, desired, 'restore_deploy_app').map((s) => s.path)).toEqual(['/srv/app/a.conf', '/srv/app/b.conf']);
    expect(() => findRestoreSteps(plan, desired, 'restore_mot')).toThrow(
      'web1 has no step "restore_mot"; restore steps: restore_motd, restore_deploy_app, restore_old_conf, restore_dir_etc_sudoers_d',
    );
  });
});
