import { confirmWithinMs } from './merge-guard.js';
import type { MergeInput } from './merge.js';
import type { SourceFile } from './read.js';

/** When self-heal gives up on a resource that keeps drifting back: `repairs` repairs within `withinMs`. */
export interface ConflictPolicy {
  repairs: number;
  withinMs: number;
}

/** The policy when nothing declares one: 3 repairs within an hour. */
export const DEFAULT_CONFLICT_POLICY: Readonly<ConflictPolicy> = Object.freeze({ repairs: 3, withinMs: 3_600_000 });

interface Declared {
  repairs?: number;
  within?: string;
}

/**
 * A host's `conflict` policy, field by field: the host's own value wins, else the last group (in merge order)
 * that declares it, else the first of its roles that does, else drover.yaml's `settings.conflict`, else the
 * default. Undefined when none declares either field (DEFAULT_CONFLICT_POLICY applies, and the host's
 * desired state stays as it was before the setting existed).
 */
export function mergeConflictPolicy(input: MergeInput, roles: readonly (SourceFile | undefined)[], repositoryDefault: Declared | undefined): ConflictPolicy | undefined {
  const layers = [...input.groups.map((g) => g.value), input.host.value].reverse();
  const ordered: (Declared | undefined)[] = [
    ...layers.map((l) => (l as { conflict?: Declared } | undefined)?.conflict),
    ...roles.map((r) => (r?.value as { conflict?: Declared } | undefined)?.conflict),
    repositoryDefault,
  ];
  const repairs = ordered.map((d) => d?.repairs).find((v) => v !== undefined);
  const within = ordered.map((d) => d?.within).find((v) => v !== undefined);
  if (repairs === undefined && within === undefined) return undefined;
  return { repairs: repairs ?? DEFAULT_CONFLICT_POLICY.repairs, withinMs: within === undefined ? DEFAULT_CONFLICT_POLICY.withinMs : confirmWithinMs(within) };
}
