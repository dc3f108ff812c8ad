/**
 * The age identity that decrypts the repository's secrets/*.age, from `--age-identity FILE`, else
 * $DROVER_AGE_IDENTITY_FILE, else the key itself in $DROVER_AGE_IDENTITY. Secrets are decrypted
 * before any host is contacted, so a missing or wrong identity touches no host.
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DroverError } from '../../manifests/errors.js';
import { attachRepositorySecrets, decryptRepositorySecrets, parseIdentities } from '../../manifests/index.js';
import type { DesiredState } from '../../manifests/types.js';
import type { CliIo } from './io.js';

/** Adds `--age-identity FILE`. */
export function addAgeIdentityOption(cmd: Command): Command {
  return cmd.option('--age-identity <file>', 'age identity file decrypting secrets/*.age (default $DROVER_AGE_IDENTITY_FILE, or the key in $DROVER_AGE_IDENTITY)');
}

/** The identities given to this run and where they came from, or undefined when none was given. */
export async function readAgeIdentity(io: CliIo, flag: string | undefined): Promise<{ identities: string[]; origin: string } | undefined> {
  const file = flag ?? io.env.DROVER_AGE_IDENTITY_FILE;
  if (file !== undefined && file !== '') {
    const origin = flag !== undefined ? `--age-identity ${file}` : `DROVER_AGE_IDENTITY_FILE=${file}`;
    const text = await readFile(resolve(io.cwd, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new DroverError('E_SECRET_IDENTITY', `cannot read the age identity file ${file} (${origin}): ${error.code === 'ENOENT' ? 'it does not exist' : error.message}`);
    });
    return { identities: parseIdentities(text, origin), origin };
  }
  const key = io.env.DROVER_AGE_IDENTITY;
  if (key !== undefined && key !== '') return { identities: parseIdentities(key, 'DROVER_AGE_IDENTITY'), origin: 'DROVER_AGE_IDENTITY' };
  return undefined;
}

/**
 * Decrypts the repository's secrets in memory and gives them to `hosts` (see
 * attachRepositorySecrets). Throws DroverError (E_SECRET_IDENTITY, E_SECRET_DECRYPT,
 * E_SECRET_INVALID) before anything reaches a host.
 */
export async function loadRepositorySecrets(io: CliIo, options: { root: string; hosts: readonly DesiredState[]; flag: string | undefined }): Promise<void> {
  const identity = await readAgeIdentity(io, options.flag);
  const values = await decryptRepositorySecrets({ root: options.root, identities: identity?.identities, origin: identity?.origin ?? 'none' });
  attachRepositorySecrets(options.hosts, values);
}
