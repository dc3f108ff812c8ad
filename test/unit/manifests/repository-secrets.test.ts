import { Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DroverError, SecretValue, attachRepositorySecrets, decryptRepositorySecrets, encryptSecret, listRepositorySecrets, parseIdentities,
} from '../../../manifests/index.js';
import type { DesiredState } from '../../../manifests/types.js';

const base = mkdtempSync(join(tmpdir(), 'drover-age-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let identity = '';
let recipient = '';

beforeAll(async () => {
  identity = await generateIdentity();
  recipient = await identityToRecipient(identity);
});

function repo(name: string, recipients?: string): string {
  const root = join(base, name);
  mkdirSync(join(root, 'secrets'), { recursive: true });
  if (recipients !== undefined) writeFileSync(join(root, 'secrets/recipients.txt'), recipients);
  return root;
}

async function failure(promise: Promise<unknown>): Promise<DroverError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DroverError);
  return error as DroverError;
}

describe('SecretValue', () => {
  it('never turns into text by accident', () => {
    const v = new SecretValue('hunter2');
    expect(JSON.stringify({ v })).toBe('{"v":"(secret)"}');
    expect(`${String(v)} ${inspect({ v })}`).not.toContain('hunter2');
    expect(v.reveal()).toBe('hunter2');
  });
});

describe('secrets/*.age', () => {
  it('round-trips: encryptSecret writes armored ciphertext, decryptRepositorySecrets reads it in memory', async () => {
    const root = repo('round-trip', `# ops\n${recipient}  # controller\n`);
    expect(await encryptSecret({ root, name: 'db.password', value: 'v@lue with spaces' })).toBe('secrets/db.password.age');
    expect(await readFile(join(root, 'secrets/db.password.age'), 'utf8')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]+-----END AGE ENCRYPTED FILE-----\n$/);
    expect(await listRepositorySecrets(root)).toEqual(['db.password']);
    const values = await decryptRepositorySecrets({ root, identities: [identity], origin: 'test' });
    expect([...values].map(([n, v]) => [n, v.reveal()])).toEqual([['db.password', 'v@lue with spaces']]);
    // Digests (the controller's "did this host change") are stable per identity and value, and keyed.
    const again = await decryptRepositorySecrets({ root, identities: [identity], origin: 'test' });
    expect(again.get('db.password')!.digest()).toBe(values.get('db.password')!.digest());
    await encryptSecret({ root, name: 'db.password', value: 'another value' });
    const changed = await decryptRepositorySecrets({ root, identities: [identity], origin: 'test' });
    expect(changed.get('db.password')!.digest()).not.toBe(values.get('db.password')!.digest());
    expect(values.get('db.password')!.digest()).not.toBe(createHash('sha256').update('v@lue with spaces').digest('hex'));
  });

  it('reads binary (not armored) age files too, and drops one final newline', async () => {
    const root = repo('binary');
    const e = new Encrypter();
    e.addRecipient(recipient);
    writeFileSync(join(root, 'secrets/token.age'), await e.encrypt('t0ken\n'));
    const values = await decryptRepositorySecrets({ root, identities: [identity], origin: 'test' });
    expect(values.get('token')?.reveal()).toBe('t0ken');
  });

  it('needs no identity when the repository keeps no secret', async () => {
    expect((await decryptRepositorySecrets({ root: join(base, 'none'), identities: undefined, origin: 'none' })).size).toBe(0);
  });

  it('refuses a missing identity, a wrong one, and a value of several lines', async () => {
    const root = repo('refusals', `${recipient}\n`);
    await encryptSecret({ root, name: 'db', value: 'x' });
    const missing = await failure(decryptRepositorySecrets({ root, identities: undefined, origin: 'none' }));
    expect([missing.code, missing.kind]).toEqual(['E_SECRET_IDENTITY', 'stalled']);
    const wrong = await failure(decryptRepositorySecrets({ root, identities: [await generateIdentity()], origin: '--age-identity k' }));
    expect(wrong.code).toBe('E_SECRET_DECRYPT');
    expect(wrong.message).toMatch(/^cannot decrypt secrets\/db\.age with the age identity from --age-identity k \(.+\); is its public key in secrets\/recipients\.txt/);
    const e = new Encrypter();
    e.addRecipient(recipient);
    writeFileSync(join(root, 'secrets/db.age'), await e.encrypt('line one\nline two\n'));
    const lines = await failure(decryptRepositorySecrets({ root, identities: [identity], origin: 'k' }));
    expect(lines.message).toBe('secrets/db.age holds several lines: a secret is one non-empty line (drover substitutes the first line of its file on the host); set it again with "drover secrets set db"');
  });

  it('refuses to encrypt without recipients or under a name templates cannot use', async () => {
    const none = await failure(encryptSecret({ root: repo('no-recipients', '# nobody yet\n'), name: 'db', value: 'x' }));
    expect(none.code).toBe('E_SECRET_RECIPIENTS');
    const name = await failure(encryptSecret({ root: repo('bad-name', recipient), name: '../db', value: 'x' }));
    expect(name.code).toBe('E_USAGE');
  });

  it('parses identity files: AGE-SECRET-KEY lines, comments allowed, anything else refused', () => {
    expect(parseIdentities(`# created\n${identity}\n\n`, 'f')).toEqual([identity]);
    expect(() => parseIdentities(`${recipient}\n`, 'f')).toThrowError('f is not an age identity: expected lines "AGE-SECRET-KEY-1..." (as written by age-keygen), found another line');
    expect(() => parseIdentities('# empty\n', 'f')).toThrowError(/found none/);
  });

  it('attaches values to the secret resources of those names and to every host, printing none', () => {
    const host = (name: string): DesiredState => ({
      host: { name } as DesiredState['host'], tests: [], hooks: [], settings: { backups: 5, prune: false, concurrency: 1 },
      resources: [{ id: 'secret:db', kind: 'secret', key: 'db', spec: { kind: 'secret', name: 'db' }, origin: { file: 'h', line: 1, col: 1 }, dependsOn: [], notify: [] }],
    });
    const hosts = [host('a'), host('b')];
    const values = new Map([['db', new SecretValue('s3cret')], ['other', new SecretValue('0ther')]]);
    attachRepositorySecrets(hosts, values);
    expect(hosts.map((h) => [h.resources[0]!.value?.reveal(), h.repositorySecrets?.size])).toEqual([['s3cret', 2], ['s3cret', 2]]);
    expect(JSON.stringify(hosts)).not.toMatch(/s3cret|0ther/);
  });
});
