/**
 * Secrets the repository keeps, age-encrypted (`secrets/` of the repository, docs/manifest-reference.md): `secrets/<name>.age`, one
 * value per file, encrypted to the recipients listed in `secrets/recipients.txt`. They are
 * decrypted in memory only (never written to the controller's disk) with an age identity, and
 * delivered to the host as the value of the `secret` resource of that name.
 */
import type { Decrypter, Encrypter, armor } from 'age-encryption';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DroverError } from './errors.js';
import { SecretValue } from './secret-value.js';
import type { DesiredState } from './types.js';

/** The directory of encrypted secrets, relative to the repository root. */
export const SECRETS_DIR = 'secrets';
/** age recipients (public keys, `age1...`), one a line; `#` starts a comment. */
export const RECIPIENTS_FILE = 'secrets/recipients.txt';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * age-encryption (with its post-quantum ciphers, ~70 modules), imported when a secret is encrypted or
 * decrypted rather than by every importer of the manifests module (drover validate needs none of it).
 */
async function loadAge(): Promise<{ Decrypter: typeof Decrypter; Encrypter: typeof Encrypter; armor: typeof armor }> {
  return import('age-encryption');
}

/** Names of the secrets the repository keeps (secrets/<name>.age), sorted. */
export async function listRepositorySecrets(root: string): Promise<string[]> {
  const entries = await readdir(join(root, SECRETS_DIR), { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && e.name.endsWith('.age')).map((e) => e.name.slice(0, -4)).filter((n) => NAME.test(n)).sort();
}

/** age identities (`AGE-SECRET-KEY-1...`) in an identity file's text; throws E_SECRET_IDENTITY when there is none. */
export function parseIdentities(text: string, origin: string): string[] {
  const keys = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const bad = keys.find((k) => !k.startsWith('AGE-SECRET-KEY-'));
  if (keys.length === 0 || bad !== undefined) {
    throw new DroverError('E_SECRET_IDENTITY', `${origin} is not an age identity: expected lines "AGE-SECRET-KEY-1..." (as written by age-keygen), ${keys.length === 0 ? 'found none' : 'found another line'}`);
  }
  return keys;
}

/**
 * Decrypts every secrets/<name>.age in memory. `identities` undefined (none given) is fine for a
 * repository without encrypted secrets. Throws DroverError (stalled): E_SECRET_IDENTITY when
 * secrets exist but no identity was given, E_SECRET_DECRYPT naming the file the identity cannot
 * open, E_SECRET_INVALID for a value that is empty or has several lines.
 */
export async function decryptRepositorySecrets(options: { root: string; identities: string[] | undefined; origin: string }): Promise<Map<string, SecretValue>> {
  const names = await listRepositorySecrets(options.root);
  const values = new Map<string, SecretValue>();
  if (names.length === 0) return values;
  if (!options.identities) {
    throw new DroverError('E_SECRET_IDENTITY', `the repository keeps encrypted secrets (${names.map((n) => `${SECRETS_DIR}/${n}.age`).join(', ')}) and no age identity was given: pass --age-identity FILE, or set DROVER_AGE_IDENTITY_FILE (a file) or DROVER_AGE_IDENTITY (the key itself), or ageIdentityFile in the controller config; nothing was changed`);
  }
  const age = await loadAge();
  const decrypter = new age.Decrypter();
  for (const identity of options.identities) decrypter.addIdentity(identity);
  // Digests keyed by the identity: stable across loads, useless to anyone without the key.
  const digestKey = createHash('sha256').update(`drover secret digest\n${options.identities.join('\n')}`).digest();
  for (const name of names) values.set(name, await decryptOne(decrypter, age.armor, { ...options, name, digestKey }));
  return values;
}

async function decryptOne(decrypter: Decrypter, ageArmor: typeof armor, options: { root: string; name: string; origin: string; digestKey: Buffer }): Promise<SecretValue> {
  const { root, name, origin } = options;
  const file = `${SECRETS_DIR}/${name}.age`;
  let text: string;
  try {
    text = await decrypter.decrypt(decodeAgeFile(await readFile(join(root, file)), ageArmor), 'text');
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new DroverError('E_SECRET_DECRYPT', `cannot decrypt ${file} with the age identity from ${origin} (${why}); is its public key in ${RECIPIENTS_FILE}, and was the file encrypted to it (drover secrets set ${name})? Nothing was changed`);
  }
  const value = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (value === '' || value.includes('\n') || value.includes('\r')) {
    throw new DroverError('E_SECRET_INVALID', `${file} holds ${value === '' ? 'an empty value' : 'several lines'}: a secret is one non-empty line (drover substitutes the first line of its file on the host); set it again with "drover secrets set ${name}"`);
  }
  return new SecretValue(value, options.digestKey);
}

/** Raw age bytes of a file that is either binary age or ASCII-armored. */
function decodeAgeFile(bytes: Buffer, ageArmor: typeof armor): Uint8Array {
  const text = bytes.toString('latin1');
  return text.trimStart().startsWith('-----BEGIN AGE ENCRYPTED FILE-----') ? ageArmor.decode(text) : new Uint8Array(bytes);
}

/**
 * Encrypts `value` to the recipients of secrets/recipients.txt and writes secrets/<name>.age
 * (ASCII-armored, so it diffs as text) atomically. Only ciphertext touches the disk. Throws
 * DroverError E_USAGE for a bad name, E_SECRET_RECIPIENTS when there are no recipients.
 */
export async function encryptSecret(options: { root: string; name: string; value: string }): Promise<string> {
  const { root, name, value } = options;
  if (!NAME.test(name)) throw new DroverError('E_USAGE', `secret name "${name}": use letters, digits, "_", "." and "-" (it is also the name of secret('${name}') in templates)`);
  const recipients = await readRecipients(root);
  const age = await loadAge();
  const encrypter = new age.Encrypter();
  for (const r of recipients) encrypter.addRecipient(r);
  const file = `${SECRETS_DIR}/${name}.age`;
  const text = age.armor.encode(await encrypter.encrypt(value));
  await mkdir(join(root, SECRETS_DIR), { recursive: true });
  const temp = join(root, SECRETS_DIR, `.${name}.age.${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(temp, text, { mode: 0o644 });
    await rename(temp, join(root, file));
  } finally {
    await rm(temp, { force: true });
  }
  return file;
}

async function readRecipients(root: string): Promise<string[]> {
  const text = await readFile(join(root, RECIPIENTS_FILE), 'utf8').catch(() => '');
  const recipients = text.split(/\r?\n/).map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== '');
  if (recipients.length === 0) {
    throw new DroverError('E_SECRET_RECIPIENTS', `${RECIPIENTS_FILE} lists no age recipients: add the public key of each person and controller that may decrypt (age1..., printed by "age-keygen -y IDENTITY_FILE"), one a line`);
  }
  return recipients;
}

/**
 * Gives each host the repository's decrypted secrets: every value for masking, and to each
 * `secret` resource whose name the repository keeps, its value (written to the host instead of a
 * generated one).
 */
export function attachRepositorySecrets(hosts: readonly DesiredState[], values: ReadonlyMap<string, SecretValue>): void {
  if (values.size === 0) return;
  for (const host of hosts) {
    host.repositorySecrets = values;
    for (const r of host.resources) {
      const value = r.kind === 'secret' ? values.get(r.key) : undefined;
      if (value) r.value = value;
    }
  }
}
