import { describe, expect, it } from 'vitest';
import { actionCases, runActionCase } from './action-fixtures.js';
import { DroverError } from '../../../manifests/errors.js';
import { buildWorkAction } from '../../../controller/apply/actions/index.js';
import { desiredState, resource } from '../../support/desired.js';

describe('action builders (fixtures: resource + step + fact -> sh text and staged contents)', () => {
  const cases = actionCases();
  it('has the cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });
  for (const { name, case: c } of cases) {
    it(`${name}: ${c.description}`, () => {
      expect(runActionCase(c)).toEqual(c.expected);
    });
  }
});

describe('values the host must never see', () => {
  const context = { desired: desiredState('web1', []), observed: { host: 'web1', platform: { id: 'debian', family: 'debian' as const, version: '12', packageManager: 'apt' as const, initSystem: 'other' as const }, resources: {}, observedAt: '' }, notified: false, stage: () => '"$W/f0"' };
  const step = { name: 's', phase: 'install' as const, group: 'g', resource: 'x', kind: 'directory' as const, action: 'create' as const, reasons: [], notifies: [] };

  it('refuses a mode that is not octal', () => {
    const bad = resource('directory', '/srv/x', { path: '/srv/x', mode: '0755; rm -rf /' });
    expect(() => buildWorkAction(bad, step, context)).toThrow(DroverError);
    expect(() => buildWorkAction(bad, step, context)).toThrow(/not an octal mode/);
  });

  it('refuses a uid or gid that is not a number, and quotes the ones it passes to useradd/groupadd', () => {
    const user = (spec: Record<string, unknown>) => buildWorkAction(resource('user', 'app', { name: 'app', ...spec }), { ...step, kind: 'user' }, context).script;
    const group = (spec: Record<string, unknown>) => buildWorkAction(resource('group', 'app', { name: 'app', ...spec }), { ...step, kind: 'group' }, context).script;
    expect(() => user({ uid: '1000; touch /pwned' })).toThrow(/uid "1000; touch \/pwned" is not a number/);
    expect(() => user({ gid: '$(id)' })).toThrow(/gid "\$\(id\)" is not a number/);
    expect(() => group({ gid: '10 -o' })).toThrow(/gid "10 -o" is not a number/);
    expect(user({ uid: 1001, gid: '1002' })).toBe('useradd -u 1001 -g 1002 -m -- app');
    expect(group({ gid: 1003 })).toBe('groupadd -g 1003 -- app');
  });

  it('refuses a secret length out of range', () => {
    const bad = resource('secret', 'k', { name: 'k', length: 0 });
    expect(() => buildWorkAction(bad, { ...step, kind: 'secret' }, context)).toThrow(/out of range/);
  });
});
