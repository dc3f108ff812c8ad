import { stringify } from 'yaml';
import type { FleetHost } from '../fleet/index.js';

/** hosts/<name>.yaml for a fleet host holding one managed file, /srv/ctl/managed.txt with `text` (and `extra` host fields). */
export function hostFile(host: Pick<FleetHost, 'address'>, text: string, extra: Record<string, unknown> = {}): string {
  return stringify({
    address: host.address,
    ...extra,
    resources: [
      { kind: 'directory', path: '/srv/ctl' },
      { kind: 'file', path: '/srv/ctl/managed.txt', content: text, mode: '0644' },
    ],
  });
}
