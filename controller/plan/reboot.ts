/**
 * Does a host need a reboot, and what is to be done about it: pure functions of the boot facts
 * (facts/boot.ts) and the host's `reboot` setting.
 */
import type { RebootMode } from '../../manifests/merge-reboot.js';
import type { BootFact } from '../facts/types.js';

export type { RebootMode };

/** Whether a host needs a reboot and why (one line per cause); plain data, stored and shown. */
export interface RebootNeed {
  required: boolean;
  reasons: string[];
}

/**
 * Compares two kernel releases (`6.1.0-18-amd64`, `6.1.0-9-amd64`) the way people read them: runs of
 * digits as numbers, anything else as text. Negative when `a` is older, positive when newer, 0 when equal.
 */
export function compareKernelReleases(a: string, b: string): number {
  const parts = (v: string): string[] => v.match(/\d+|[^\d]+/g) ?? [];
  const left = parts(a);
  const right = parts(b);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i];
    const y = right[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    if (x === y) continue;
    const numeric = /^\d/.test(x) && /^\d/.test(y);
    if (numeric) return Number(x) - Number(y) || x.localeCompare(y);
    return x < y ? -1 : 1;
  }
  return 0;
}

/** The newest installed kernel, when it is newer than the running one. */
export function newerKernel(boot: Pick<BootFact, 'runningKernel' | 'installedKernels'>): string | undefined {
  if (boot.runningKernel === '') return undefined;
  const newest = [...boot.installedKernels].sort(compareKernelReleases).at(-1);
  return newest !== undefined && compareKernelReleases(newest, boot.runningKernel) > 0 ? newest : undefined;
}

/**
 * Why the host needs a reboot: Debian's marker (with the packages it names), a kernel newer than the
 * running one installed, resources with `reboot: true` changed during this boot (observed, or changed by
 * the run that just ended: `changed`). Not required when there is no boot fact.
 */
export function rebootNeed(boot: BootFact | undefined, changed: readonly string[] = []): RebootNeed {
  if (!boot) return { required: false, reasons: [] };
  const reasons: string[] = [];
  if (boot.debianMarker) {
    const packages = boot.debianPackages.length > 0 ? ` (${boot.debianPackages.join(', ')})` : '';
    reasons.push(`/var/run/reboot-required exists${packages}`);
  }
  const kernel = newerKernel(boot);
  if (kernel) reasons.push(`kernel ${kernel} is installed, ${boot.runningKernel} is running`);
  const resources = [...new Set([...boot.changedResources, ...changed])];
  if (resources.length > 0) reasons.push(`changed with reboot: true: ${resources.join(', ')}`);
  return { required: reasons.length > 0, reasons };
}

/**
 * What to do: `none` (no reboot needed, or mode `never`), `report` (say so), `reboot` (mode `auto`, and
 * the caller may reboot now: an apply run inside the host's window and wave), `hold` (mode `auto`, but the
 * run may not: it only reports, like `report`).
 */
export function rebootAction(need: RebootNeed, options: { mode: RebootMode | undefined; mayReboot: boolean }): 'none' | 'report' | 'reboot' | 'hold' {
  const mode = options.mode ?? 'report';
  if (!need.required || mode === 'never') return 'none';
  if (mode === 'report') return 'report';
  return options.mayReboot ? 'reboot' : 'hold';
}
