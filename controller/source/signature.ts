/** Commit signature verification: git's own `verify-commit` against an SSH allowed-signers file. */
import { DroverError } from '../../manifests/errors.js';
import type { GitCommandFailure } from './git-run.js';
import type { Git } from './mirror.js';

/**
 * Resolves when git verifies the signature of `commit` with a key listed in `allowedSignersFile`
 * (`gpg.format=ssh`; the file format is ssh-keygen's ALLOWED SIGNERS). Rejects with
 * E_SOURCE_SIGNATURE (stalled) when the commit is unsigned or signed by another key, and with
 * E_SOURCE_TIMEOUT (transient) when git ran too long.
 */
export async function verifyCommitSignature(git: Git, options: { commit: string; allowedSignersFile: string; what: string }): Promise<void> {
  const { commit, allowedSignersFile, what } = options;
  try {
    await git(['-c', 'gpg.format=ssh', '-c', `gpg.ssh.allowedSignersFile=${allowedSignersFile}`, 'verify-commit', '--', commit]);
  } catch (error) {
    const failure = error as GitCommandFailure;
    if (failure.timedOut) {
      throw new DroverError('E_SOURCE_TIMEOUT', `verifying the signature of ${what} timed out: raise the source's timeout`);
    }
    const said = failure.output.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 2).join('; ');
    throw new DroverError(
      'E_SOURCE_SIGNATURE',
      `${what} is not signed by a key in ${allowedSignersFile} (git verify-commit: ${said || 'no signature'}); ` +
        `sign the commit with an allowed key (git commit -S with gpg.format=ssh), or add the signer's public key to that file`,
    );
  }
}
