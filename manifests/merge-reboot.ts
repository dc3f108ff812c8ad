import { confirmWithinMs } from './merge-guard.js';
import type { MergeInput } from './merge.js';
import type { SourceFile } from './read.js';

/** What drover does about a host that needs a reboot (`reboot:`); `report` when nothing declares it. */
export type RebootMode = 'never' | 'report' | 'auto';

/** The mode when nothing declares one. */
export const DEFAULT_REBOOT_MODE: RebootMode = 'report';
/** How long a rebooted host may take to answer with a new boot id when nothing declares `rebootTimeout`. */
export const DEFAULT_REBOOT_TIMEOUT_MS = 5 * 60_000;

/** The repository-wide values (drover.yaml `settings`). */
export interface RebootDefaults {
  reboot?: RebootMode;
  rebootTimeout?: string;
}

/**
 * A host's `reboot` and `rebootTimeout` (ms), each on its own: the host's value wins, else the last group
 * (in merge order) that declares one, else the first of its roles that does, else drover.yaml's settings;
 * absent when none declares it (DEFAULT_REBOOT_MODE, DEFAULT_REBOOT_TIMEOUT_MS apply).
 */
export function mergeReboot(input: MergeInput, roles: readonly (SourceFile | undefined)[], defaults: RebootDefaults | undefined): { reboot?: RebootMode; rebootTimeoutMs?: number } {
  const reboot = layered<RebootMode>(input, roles, 'reboot') ?? defaults?.reboot;
  const timeout = layered<string>(input, roles, 'rebootTimeout') ?? defaults?.rebootTimeout;
  return { ...(reboot === undefined ? {} : { reboot }), ...(timeout === undefined ? {} : { rebootTimeoutMs: confirmWithinMs(timeout) }) };
}

function layered<T>(input: MergeInput, roles: readonly (SourceFile | undefined)[], key: string): T | undefined {
  let value: T | undefined;
  for (const layer of [...input.groups.map((g) => g.value), input.host.value]) {
    const own = (layer as Record<string, T | undefined> | undefined)?.[key];
    if (own !== undefined) value = own;
  }
  return value ?? roles.map((r) => (r?.value as Record<string, T | undefined> | undefined)?.[key]).find((v) => v !== undefined);
}
