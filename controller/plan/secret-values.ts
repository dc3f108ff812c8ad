/**
 * Files follow the values of the secrets they hold. A file's content is compared with the host's
 * secret values masked back into placeholders, so when the repository gives a secret a new value
 * (secrets/<name>.age), the files holding the old one still look in sync: they must be rewritten
 * in the same run, right after the secret (kind order puts secrets before files).
 */
import type { DesiredResource } from '../../manifests/types.js';
import type { ObservedState } from '../facts/types.js';
import type { PlanStep, Verdict } from './types.js';

/** True when this step gives a secret the repository keeps a new value on the host. */
export function replacesSecretValue(r: DesiredResource, step: PlanStep, observed: ObservedState): boolean {
  if (r.kind !== 'secret' || !r.value || step.action === 'none') return false;
  const fact = observed.resources[r.id];
  return fact?.kind === 'secret' && fact.matchesRepository !== true;
}

/**
 * A file in sync whose content holds a secret in `replaced` becomes an update (content rewritten,
 * shown as "(secret changed)"); any other verdict is returned as is.
 */
export function withReplacedSecrets(r: DesiredResource, verdict: Verdict, replaced: ReadonlySet<string>): Verdict {
  if (r.kind !== 'file' || verdict.action !== 'none' || verdict.mayChange !== undefined) return verdict;
  const names = (r.content?.secrets ?? []).filter((n) => replaced.has(n));
  if (names.length === 0) return verdict;
  return { action: 'update', reasons: names.map((n) => `secret ${n} gets a new value from secrets/${n}.age -> content rewritten`) };
}

/** The rewritten file's host content is not known to differ by hash: drop `before`, so apply writes the content. */
export function markRewrite(step: PlanStep): void {
  if (step.content) delete step.content.before;
}
