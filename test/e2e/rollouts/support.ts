/**
 * Manifests of the rollout e2e tests: hosts h01..hNN each holding /srv/ctl/managed.txt, a role `check`
 * whose test_* check passes only while that file says "good", a `canary` group, and a drover.yaml with
 * the rollout policy and windows given.
 */
import { stringify } from 'yaml';
import type { FleetHost } from '../../fleet/index.js';
import { hostFile } from '../controller/support.js';

/** h01, h02, ... */
export function hostNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `h${String(i + 1).padStart(2, '0')}`);
}

/** hosts/<name>.yaml for each host with its text (one text for all, or by name). */
export function hostFiles(hosts: readonly FleetHost[], text: string | ((name: string) => string)): Record<string, string> {
  return Object.fromEntries(hostNames(hosts.length).map((name, i) => [
    `hosts/${name}.yaml`, hostFile(hosts[i]!, typeof text === 'string' ? text : text(name), { roles: ['check'] }),
  ]));
}

/** The role with the health check, the canary group and drover.yaml. */
export function repoFiles(options: { canary: string[]; drover: Record<string, unknown> }): Record<string, string> {
  return {
    'roles/check.yaml': stringify({ tests: [{ name: 'good', command: 'grep -q good /srv/ctl/managed.txt' }] }),
    'groups/canary.yaml': stringify({ include: options.canary }),
    'drover.yaml': stringify(options.drover),
  };
}
