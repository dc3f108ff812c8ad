/**
 * textsFromBase: the old text of a file a plan updates comes from the base desired state when the host
 * still holds what the base wanted (same content hash); otherwise the host is asked (no entry). The
 * repository secrets of both revisions are masked.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SecretValue } from '../../../manifests/types.js';
import { planHost } from '../../../controller/plan/plan-host.js';
import { textsFromBase } from '../../../controller/reconcile/texts.js';
import type { ObservedState } from '../../../controller/reconcile/types.js';
import type { DesiredState } from '../../../manifests/types.js';
import { desiredState, file } from '../../support/desired.js';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
const secret = (value: string): SecretValue => ({ reveal: () => value }) as SecretValue;

/** A host whose files hold `texts` (path -> text), as a probe would report them. */
function observedWith(desired: DesiredState, texts: Record<string, string>): ObservedState {
  const resources = Object.fromEntries(desired.resources.map((r) => {
    const text = texts[r.key];
    return [r.id, text === undefined ? { kind: 'file', exists: false, type: 'none' } : { kind: 'file', exists: true, type: 'file', mode: '0644', owner: 'root', group: 'root', sha256: sha(text) }];
  }));
  return { host: desired.host.name, platform: { id: 'debian', family: 'debian', version: '12', packageManager: 'apt', initSystem: 'systemd' }, resources, observedAt: '2026-12-07T00:00:00.000Z' } as ObservedState;
}

const spec = { mode: '0644', owner: 'root', group: 'root' };

describe('textsFromBase', () => {
  it('gives the base text of a file still as the base left it, and nothing for one changed by hand or new', () => {
    const base = desiredState('web1', [file('/etc/a.conf', 'a one\n', spec), file('/etc/b.conf', 'b one\n', spec)]);
    const next = desiredState('web1', [file('/etc/a.conf', 'a two\n', spec), file('/etc/b.conf', 'b two\n', spec), file('/etc/c.conf', 'c\n', spec)]);
    const observed = observedWith(next, { '/etc/a.conf': 'a one\n', '/etc/b.conf': 'b by hand\n' });
    const plan = planHost(next, observed);
    expect(textsFromBase(next, plan, observed, base)).toEqual({ 'file:/etc/a.conf': 'a one\n' });
  });

  it('masks the repository secrets of the base revision and of the previewed one', () => {
    const base = desiredState('web1', [file('/etc/db.conf', 'password=old-Value\nuser=app\n', spec)]);
    base.repositorySecrets = new Map([['db_password', secret('old-Value')]]);
    const next = desiredState('web1', [file('/etc/db.conf', 'password=new-Value\nuser=app\n', spec)]);
    next.repositorySecrets = new Map([['db_password', secret('new-Value')]]);
    const observed = observedWith(next, { '/etc/db.conf': 'password=old-Value\nuser=app\n' });
    const texts = textsFromBase(next, planHost(next, observed), observed, base);
    expect(Object.keys(texts)).toEqual(['file:/etc/db.conf']);
    expect(texts['file:/etc/db.conf']).not.toContain('old-Value');
    expect(texts['file:/etc/db.conf']).toContain('user=app');
  });
});
