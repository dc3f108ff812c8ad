/**
 * The manifests module: a manifest repository directory -> one DesiredState per host, with
 * every problem located as `file:line:col  json.path  message`.
 */
export { loadRepository, loadValidRepository, type LoadedRepository, type LoadOptions } from './load.js';
export { createManifestValidator, type ManifestValidator } from './validate.js';
export { DroverError, ManifestInvalidError, formatProblem, type ManifestProblem } from './errors.js';
export type { DesiredResource, DesiredState, DesiredTest, FileContent, HookScript, HostInfo, Origin, RepositorySettings, ResourceKind } from './types.js';
export { readPolicies, type RepositoryPolicies, type RolloutPolicy, type RolloutWave, type WindowSpec } from './policies.js';
export {
  attachRepositorySecrets, decryptRepositorySecrets, encryptSecret, listRepositorySecrets, parseIdentities, RECIPIENTS_FILE, SECRETS_DIR,
} from './repository-secrets.js';
export { SecretValue } from './secret-value.js';
export { DEFAULT_CONFLICT_POLICY, type ConflictPolicy } from './merge-conflict.js';
