import type { MergeInput } from './merge.js';
import type { SourceFile } from './read.js';

/**
 * A host's `rollbackOnFailedTests`: the host's own value wins, else the last group (in merge order)
 * that declares one, else true when any of the host's roles asks for it (a role knows its checks best).
 */
export function mergeRollbackOnFailedTests(input: MergeInput, roles: readonly (SourceFile | undefined)[]): boolean {
  let value: boolean | undefined;
  for (const layer of [...input.groups.map((g) => g.value), input.host.value]) {
    const own = (layer as { rollbackOnFailedTests?: boolean }).rollbackOnFailedTests;
    if (own !== undefined) value = own;
  }
  if (value !== undefined) return value;
  return roles.some((r) => (r?.value as { rollbackOnFailedTests?: boolean } | undefined)?.rollbackOnFailedTests === true);
}
