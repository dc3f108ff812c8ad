import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretValue } from '../../../manifests/index.js';
import type { DesiredResource } from '../../../manifests/types.js';
import { secretAction } from '../../../controller/apply/actions/identity.js';
import type { ActionContext } from '../../../controller/apply/actions/common.js';
import { parseSecrets, secretsFragment } from '../../../controller/facts/secrets.js';
import type { SecretFact } from '../../../controller/facts/types.js';
import { planHost } from '../../../controller/plan/plan-host.js';
import { loadPlanCase } from './plan-fixtures.js';

const VALUE = 'kept-in-git';

/** test/fixtures/plan/file-with-secret with the secret's value kept by the repository and the file in sync. */
function keptSecretCase(matches: boolean) {
  const c = loadPlanCase('file-with-secret');
  const secret = c.desired.resources.find((r) => r.kind === 'secret')!;
  secret.value = new SecretValue(VALUE);
  (c.observed.resources['secret:django_key'] as SecretFact).matchesRepository = matches;
  const file = c.desired.resources.find((r) => r.kind === 'file')!;
  Object.assign(c.observed.resources[file.id]!, { sha256: file.content!.sha256 });
  return c;
}

const stat = (mode: string): string[] => ['0', '81a4', mode, '0', '0', '51', 'root', 'root'];

describe('a secret whose value the repository keeps (secrets/<name>.age)', () => {
  it('is probed by a salted hash computed on the host; only "matches" is kept', () => {
    const r: DesiredResource = { id: 'secret:db', kind: 'secret', key: 'db', spec: { kind: 'secret', name: 'db' }, origin: { file: 'h', line: 1, col: 1 }, dependsOn: [], notify: [], value: new SecretValue(VALUE) };
    const fragment = secretsFragment([r]);
    expect(fragment).not.toContain(VALUE);
    const salt = /printf %s ([0-9a-f]{32});/.exec(fragment)?.[1];
    expect(salt).toBeDefined();
    const digest = (value: string): string => createHash('sha256').update(`${salt}${value}`).digest('hex');
    const parse = (value: string) => parseSecrets({ name: 'secrets', status: 0, records: [{ tag: 's', fields: stat('600') }, { tag: 'v', fields: ['0', salt!, digest(value)] }] }, [r]);
    expect(parse(VALUE)['secret:db']).toEqual({ kind: 'secret', exists: true, path: '/var/lib/drover/secrets/db', mode: '0600', owner: 'root', group: 'root', matchesRepository: true });
    expect((parse('old') ['secret:db'] as SecretFact).matchesRepository).toBe(false);
  });

  it('in sync when the host holds the value', () => {
    expect(planHost(keptSecretCase(true).desired, keptSecretCase(true).observed).inSync).toBe(true);
  });

  it('a new value replaces the secret and rewrites every file holding it, in the same run', () => {
    const c = keptSecretCase(false);
    const plan = planHost(c.desired, c.observed);
    expect(plan.steps.filter((s) => s.action !== 'none').map((s) => [s.name, s.action, s.reasons, s.content?.before])).toEqual([
      ['install_secret_django_key', 'update', ['value differs from secrets/django_key.age -> replaced (values not shown)'], undefined],
      ['regen_srv_django_settings_local_py', 'update', ['secret django_key gets a new value from secrets/django_key.age -> content rewritten'], undefined],
    ]);
    expect(JSON.stringify(plan)).not.toContain(VALUE);
  });

  it('is written through the run\'s tar, never through the script text', () => {
    const c = keptSecretCase(false);
    const secret = c.desired.resources.find((r) => r.kind === 'secret')!;
    const staged: Buffer[] = [];
    const context: ActionContext = { desired: c.desired, observed: c.observed, notified: false, stage: (b) => `"$W/f${staged.push(b)}"` };
    const { script } = secretAction(secret, { name: 's', phase: 'install', group: 'g', resource: secret.id, kind: 'secret', action: 'update', reasons: [], notifies: [] }, context);
    expect(script).not.toContain(VALUE);
    expect(script).toContain('_put /var/lib/drover/secrets/django_key "$W/f1" 0600');
    expect(staged.map((b) => b.toString())).toEqual([`${VALUE}\n`]);
  });
});
