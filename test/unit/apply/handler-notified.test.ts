/**
 * A handler whose notifiers are all decided on the host (plan: `mayChange`) runs only when one of them
 * recorded the notification; one with a definite notifier always runs.
 */
import { describe, expect, it } from 'vitest';
import { buildHostScript } from '../../../controller/apply/script.js';
import type { PlanStep } from '../../../controller/plan/types.js';
import { desiredState, resource } from '../../support/desired.js';

const desired = desiredState('web1', [
  resource('command', 'pip', { name: 'pip', run: 'pip install', unless: 'true' }, { notify: ['service:app'] }),
  resource('service', 'app', { name: 'app', manager: 'supervisor' }),
]);

function steps(handler: Partial<PlanStep>): PlanStep[] {
  const base = { group: 'setup_web1', reasons: [], notifies: [] };
  return [
    { ...base, name: 'install_command_pip', phase: 'install', resource: 'command:pip', kind: 'command', action: 'update', notifies: ['service:app'], mayChange: 'guard' },
    { ...base, name: 'restart_app', phase: 'handler', resource: 'service:app', kind: 'service', action: 'update', triggeredBy: ['command:pip'], ...handler },
  ];
}

function handlerFunction(plan: PlanStep[]): string {
  const script = buildHostScript({
    desired, steps: plan, token: 'droverunit0123456789abcdef',
    observed: { host: 'web1', observedAt: '', resources: {}, platform: { id: 'debian', family: 'debian', version: '12', packageManager: 'apt', initSystem: 'systemd' } },
  }).script;
  const start = script.indexOf('_s1() {');
  return script.slice(start, script.indexOf('\n}', start));
}

describe('handler steps', () => {
  it('skip (unchanged) unless notified on the host when every notifier may change', () => {
    expect(handlerFunction(steps({ mayChange: 'only when command:pip changes something' })))
      .toMatch(/^_s1\(\) \{\nif ! \{ grep -qxF -- service:app "\$_PF"; \} >\/dev\/null 2>&1; then exit 100; fi\n/);
  });

  it('run unconditionally when the plan knows a notifier changes', () => {
    const body = handlerFunction(steps({}));
    expect(body).not.toContain('grep -qxF');
    expect(body).toContain('supervisorctl restart app');
  });
});
