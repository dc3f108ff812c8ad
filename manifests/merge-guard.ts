import type { MergeInput } from './merge.js';
import type { SourceFile } from './read.js';

/**
 * The lockout guard's confirmation time when nothing declares one: 60 s. Runs that change only data areas
 * (controller/plan/access-risk.ts) are not guarded, so they pay no confirmation (docs/design.md "Lockout guard").
 */
export const DEFAULT_CONFIRM_WITHIN_MS = 60_000;

type Declared = string | number | undefined;

/**
 * A host's `confirmWithin` in ms: the host's own value wins, else the last group (in merge order) that
 * declares one, else the first of its roles that does, else drover.yaml's `settings.confirmWithin`;
 * undefined when none declares one (the guard then uses DEFAULT_CONFIRM_WITHIN_MS). 0 disables the guard.
 */
export function mergeConfirmWithin(input: MergeInput, roles: readonly (SourceFile | undefined)[], repositoryDefault: Declared): number | undefined {
  let value: Declared;
  for (const layer of [...input.groups.map((g) => g.value), input.host.value]) {
    const own = (layer as { confirmWithin?: Declared }).confirmWithin;
    if (own !== undefined) value = own;
  }
  value ??= roles.map((r) => (r?.value as { confirmWithin?: Declared } | undefined)?.confirmWithin).find((v) => v !== undefined);
  value ??= repositoryDefault;
  return value === undefined ? undefined : confirmWithinMs(value);
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a `confirmWithin` the schema accepted (`60s`, `1m30s`, `0`). */
export function confirmWithinMs(value: string | number): number {
  let total = 0;
  for (const m of String(value).matchAll(/([0-9]+)(ms|s|m|h)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return total;
}
