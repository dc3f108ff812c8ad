/**
 * Boot facts, for the reboot decision (plan/reboot.ts): this boot's id, the running kernel and the
 * kernels installed, Debian's reboot-required marker (and the packages it lists), and drover's own marker
 * of resources with `reboot: true` that changed during this boot. Read with sh builtins only (no fork):
 * the section is part of every host observation.
 */
import { probeOutputError, type ProbeSection } from './common.js';
import { DROVER_STATE_DIR } from './drover-state.js';
import type { BootFact } from './types.js';

/** Section name of the boot facts. */
export const BOOT_SECTION = 'boot';
/** The kernel's id of the current boot (a new one on every boot). */
export const BOOT_ID_PATH = '/proc/sys/kernel/random/boot_id';
/** Debian's marker (update-notifier-common, unattended-upgrades, kernel packages): a reboot is needed. */
export const DEBIAN_MARKER = '/var/run/reboot-required';
/**
 * drover's marker: the boot id on its first line, then the ids of the resources with `reboot: true` a run
 * changed during that boot. Only the lines of the current boot count: a reboot makes it stale.
 */
export const DROVER_REBOOT_MARKER = `${DROVER_STATE_DIR}/reboot-required`;

/**
 * The fragment: `bootid ID`, `running RELEASE`, `installed RELEASE` per kernel in /lib/modules,
 * /usr/lib/modules and /boot (vmlinuz-*), `debian -` when Debian's marker exists, `pkg NAME` per line of its
 * .pkgs file, `resource ID` per resource of drover's marker written during this boot.
 */
export function bootFragment(): string {
  return [
    `_b=-; [ -r ${BOOT_ID_PATH} ] && read -r _b < ${BOOT_ID_PATH}`,
    'echo "$_T bootid ${_b:--}"',
    '_k=-; [ -r /proc/sys/kernel/osrelease ] && read -r _k < /proc/sys/kernel/osrelease',
    'echo "$_T running ${_k:--}"',
    'for _d in /lib/modules/*/ /usr/lib/modules/*/; do [ -d "$_d" ] || continue; _d=${_d%/}; echo "$_T installed ${_d##*/}"; done',
    'for _f in /boot/vmlinuz-* /boot/vmlinux-*; do [ -e "$_f" ] || continue; echo "$_T installed ${_f#/boot/vmlinu?-}"; done',
    `if [ -e ${DEBIAN_MARKER} ]; then echo "$_T debian -"; fi`,
    `if [ -r ${DEBIAN_MARKER}.pkgs ]; then while IFS= read -r _l || [ -n "$_l" ]; do [ -n "$_l" ] && echo "$_T pkg $_l"; done < ${DEBIAN_MARKER}.pkgs; fi`,
    `if [ -r ${DROVER_REBOOT_MARKER} ]; then { IFS= read -r _l; if [ "$_l" = "$_b" ]; then`,
    '  while IFS= read -r _l || [ -n "$_l" ]; do [ -n "$_l" ] && echo "$_T resource $_l"; done; fi; } < ' + DROVER_REBOOT_MARKER + '; fi',
  ].join('\n');
}

/** Parses the boot section. Throws E_PROBE_OUTPUT on an unknown record or a missing boot id. */
export function parseBoot(section: ProbeSection): BootFact {
  const fact: BootFact = { bootId: '', runningKernel: '', installedKernels: [], debianMarker: false, debianPackages: [], changedResources: [] };
  for (const record of section.records) {
    const value = record.fields.join(' ');
    if (record.tag === 'bootid') fact.bootId = value === '-' ? '' : value;
    else if (record.tag === 'running') fact.runningKernel = value === '-' ? '' : value;
    else if (record.tag === 'installed') fact.installedKernels.push(value);
    else if (record.tag === 'debian') fact.debianMarker = true;
    else if (record.tag === 'pkg') fact.debianPackages.push(value);
    else if (record.tag === 'resource') fact.changedResources.push(value);
    else throw probeOutputError(section.name, `unknown record "${record.tag}"`);
  }
  if (!section.records.some((r) => r.tag === 'bootid')) throw probeOutputError(section.name, 'missing bootid record');
  fact.installedKernels = [...new Set(fact.installedKernels)].sort();
  fact.debianPackages = [...new Set(fact.debianPackages)];
  fact.changedResources = [...new Set(fact.changedResources)];
  return fact;
}
