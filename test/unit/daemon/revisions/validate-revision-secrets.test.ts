import { generateIdentity, identityToRecipient } from 'age-encryption';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encryptSecret } from '../../../../manifests/index.js';
import { Secret } from '../../../../controller/config/secret.js';
import { validateRevision } from '../../../../controller/daemon/revisions/validate-revision.js';

const base = mkdtempSync(join(tmpdir(), 'drover-gate-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function revisionWithSecret(identity: string) {
  const dir = join(base, 'repo');
  mkdirSync(join(dir, 'hosts'), { recursive: true });
  mkdirSync(join(dir, 'secrets'), { recursive: true });
  writeFileSync(join(dir, 'hosts/web1.yaml'), 'address: 127.0.0.2\nresources:\n  - { kind: secret, name: db }\n');
  writeFileSync(join(dir, 'secrets/recipients.txt'), `${await identityToRecipient(identity)}\n`);
  await encryptSecret({ root: dir, name: 'db', value: 'from-git' });
  return { name: `main@sha1:${'a'.repeat(40)}`, commit: 'a'.repeat(40), dir, fetchedAt: 0 };
}

describe('the gate decrypts secrets/*.age with the controller\'s identity (ageIdentityFile)', () => {
  it('accepts with the right identity (values attached), rejects without one or with a wrong one', async () => {
    const identity = await generateIdentity();
    const revision = await revisionWithSecret(identity);
    const ok = await validateRevision(revision, undefined, { keys: new Secret(`${identity}\n`), origin: 'ageIdentityFile k' });
    expect(ok.accepted && ok.hosts[0]!.resources[0]!.value?.reveal()).toBe('from-git');
    const none = await validateRevision(revision);
    expect(!none.accepted && none.problems.map((p) => p.message)).toEqual([
      'the repository keeps encrypted secrets (secrets/db.age) and no age identity was given: pass --age-identity FILE, or set DROVER_AGE_IDENTITY_FILE (a file) or DROVER_AGE_IDENTITY (the key itself), or ageIdentityFile in the controller config; nothing was changed',
    ]);
    const wrong = await validateRevision(revision, undefined, { keys: new Secret(await generateIdentity()), origin: 'ageIdentityFile other' });
    expect(!wrong.accepted && wrong.problems[0]!.message).toMatch(/^cannot decrypt secrets\/db\.age with the age identity from ageIdentityFile other/);
    const junk = await validateRevision(revision, undefined, { keys: new Secret('not a key\n'), origin: 'ageIdentityFile junk' });
    expect(!junk.accepted && junk.problems[0]!.message).toMatch(/^ageIdentityFile junk is not an age identity/);
  });
});
