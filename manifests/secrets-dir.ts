/**
 * Checks of the repository's secrets/ directory that need no key: it may hold only
 * `<name>.age` files that really are age files, and `recipients.txt`. A plain file there (a
 * `db.txt`, or a `db.age` that was never encrypted) is most likely a secret committed in clear.
 */
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManifestProblem } from './errors.js';
import { RECIPIENTS_FILE, SECRETS_DIR } from './repository-secrets.js';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const AGE_HEADERS = ['age-encryption.org/v1\n', '-----BEGIN AGE ENCRYPTED FILE-----'];

/** Problems with secrets/ (none when it is absent), and the names of the secrets it keeps. */
export async function checkSecretsDir(root: string): Promise<{ names: string[]; problems: ManifestProblem[] }> {
  const entries = await readdir(join(root, SECRETS_DIR), { withFileTypes: true }).catch(() => []);
  const problems: ManifestProblem[] = [];
  const names: string[] = [];
  const problem = (file: string, message: string): void => {
    problems.push({ file: `${SECRETS_DIR}/${file}`, line: 0, col: 0, path: '', message });
  };
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.') || `${SECRETS_DIR}/${e.name}` === RECIPIENTS_FILE) continue;
    if (!e.isFile() || !e.name.endsWith('.age')) {
      problem(e.name, `secrets/ holds only <name>.age files (age-encrypted) and recipients.txt; if this file holds a secret in clear, remove it from the repository and its history, then keep the value with "drover secrets set NAME"`);
      continue;
    }
    const name = e.name.slice(0, -4);
    if (!NAME.test(name)) {
      problem(e.name, `"${name}" is not a secret name: use letters, digits, "_", "." and "-" (the name of secret('...') and of the secret resource)`);
    } else if (!(await looksLikeAge(join(root, SECRETS_DIR, e.name)))) {
      problem(e.name, 'is not an age-encrypted file (no age header): if it holds a secret in clear, remove it from the repository and its history, then keep the value with "drover secrets set NAME"');
    } else {
      names.push(name);
    }
  }
  return { names, problems };
}

async function looksLikeAge(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(64), 0, 64, 0);
    const head = buffer.subarray(0, bytesRead).toString('latin1').trimStart();
    return AGE_HEADERS.some((h) => head.startsWith(h));
  } finally {
    await file.close();
  }
}
