/**
 * The validation gate: a revision is loaded and validated whole before any host sees it. A revision
 * with any problem is rejected as a whole (hosts stay on the last good one).
 */
import { DroverError, type ManifestProblem } from '../../../manifests/errors.js';
import { loadRepository } from '../../../manifests/load.js';
import type { RepositoryPolicies } from '../../../manifests/policies.js';
import type { DesiredState } from '../../../manifests/types.js';
import type { ManifestValidator } from '../../../manifests/validate.js';
import type { Revision } from '../../source/index.js';
import type { AgeIdentity } from '../../config/types.js';
import { attachRepositorySecrets, decryptRepositorySecrets, parseIdentities } from '../../../manifests/repository-secrets.js';

/** What the gate decided about a revision. */
export type GateResult =
  | { accepted: true; revision: Revision; hosts: DesiredState[]; policies?: RepositoryPolicies; members?: Record<string, string[]> }
  | { accepted: false; revision: Revision; problems: ManifestProblem[] };

/**
 * Loads `revision.dir` with loadRepository and accepts it only when there is no problem; then
 * decrypts its secrets/*.age in memory with `ageIdentity` and gives them to the hosts (a revision
 * whose secrets cannot be decrypted is rejected, before any host sees it). Never throws for bad
 * content: a missing sub-path or repository is a rejection with one problem.
 */
export async function validateRevision(revision: Revision, validator?: ManifestValidator, ageIdentity?: AgeIdentity): Promise<GateResult> {
  try {
    const loaded = await loadRepository(revision.dir, validator ? { validator } : {});
    if (loaded.problems.length > 0) return { accepted: false, revision, problems: loaded.problems };
    const identities = ageIdentity ? parseIdentities(ageIdentity.keys.reveal(), ageIdentity.origin) : undefined;
    const values = await decryptRepositorySecrets({ root: revision.dir, identities, origin: ageIdentity?.origin ?? 'none' });
    attachRepositorySecrets(loaded.hosts, values);
    return { accepted: true, revision, hosts: loaded.hosts, policies: loaded.policies, members: loaded.members };
  } catch (err) {
    const message = err instanceof DroverError ? err.message : `cannot load the revision: ${(err as Error).message}`;
    return { accepted: false, revision, problems: [{ file: '.', line: 0, col: 0, path: '', message }] };
  }
}
