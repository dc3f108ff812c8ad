/**
 * Every assembled host script parses in dash (Debian's /bin/sh) and bash: all action fixtures together,
 * with hooks, handlers, tests and an inventory write, as one script.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildHostScript } from '../../../controller/apply/script.js';
import type { PlanStep } from '../../../controller/plan/types.js';
import { actionCases, runActionCase } from '../../unit/apply/action-fixtures.js';
import { desiredState, file, resource } from '../../support/desired.js';

describe('assembled scripts', () => {
  it('parse in dash and bash, one step function per fixture case', () => {
    const bodies = actionCases().map(({ case: c }) => runActionCase(c));
    const functions = bodies.map((b, i) => `_f${i}() {\n${b.guard ? `if ! { ${b.guard}; }; then exit 100; fi\n` : ''}${b.script}\nexit 0\n}`).join('\n');
    for (const shell of ['dash', 'bash']) expect(execFileSync(shell, ['-n'], { input: functions, encoding: 'utf8' })).toBe('');
  });

  it('a whole run with hooks, handlers, tests and the inventory parses in dash and bash', () => {
    const desired = desiredState('web1', [
      file('/etc/app.conf', 'x\n', {}, []), resource('service', 'app', { name: 'app' }), resource('package', 'curl', { name: 'curl' }),
    ]);
    desired.hooks = [{ step: 'regen_app_conf', phase: 'pre', name: 'a.sh', script: 'echo "it\'s"' }];
    desired.tests = [{ role: 'web', name: 'port', tcp: { host: '127.0.0.1', port: 80 }, origin: { file: 'roles/web.yaml', line: 1, col: 1 } }];
    const step = (name: string, id: string, extra: Partial<PlanStep>): PlanStep => ({
      name, phase: 'install', group: 'setup_web1', resource: id, kind: id.split(':')[0] as PlanStep['kind'], action: 'update', reasons: [], notifies: [], ...extra,
    });
    const steps = [
      step('aptget_curl', 'package:curl', { action: 'create' }), step('backup_app_conf', 'file:/etc/app.conf', { phase: 'backup' }),
      step('regen_app_conf', 'file:/etc/app.conf', { phase: 'regen', notifies: ['service:app'] }), step('install_service_app', 'service:app', {}),
      step('restart_app', 'service:app', { phase: 'handler' }), step('test_web_port', 'test:web/port', { phase: 'test', kind: 'test', action: 'none' }),
    ];
    const built = buildHostScript({ desired, observed: { host: 'web1', observedAt: '', resources: {}, platform: { id: 'debian', family: 'debian', version: '12', packageManager: 'apt', initSystem: 'systemd' } }, steps, token: 'droversyntax0123456789' });
    expect(built.entries.map((e) => e.name)).toEqual(['aptget_curl', 'backup_app_conf', 'pre:regen_app_conf/a.sh', 'regen_app_conf', 'install_service_app', 'restart_app', 'test_web_port']);
    for (const shell of ['dash', 'bash']) expect(execFileSync(shell, ['-n'], { input: built.script, encoding: 'utf8' })).toBe('');
  });
});
