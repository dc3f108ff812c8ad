/**
 * The entries of directories drover owns (`purge: true` or `report`): each entry directly in the
 * directory, with its type from lstat, so the plan can name what no resource declares. Names are printed
 * hex-encoded (any byte, newlines too); the sh glob lists dot files as well. Pure.
 */
import type { DesiredResource } from '../../manifests/types.js';
import { decodeHexField, probeOutputError, q, specString, type ProbeRecord } from './common.js';
import type { DirEntry } from './types.js';

const TYPES: Readonly<Record<string, DirEntry['type']>> = { f: 'file', l: 'symlink', d: 'directory', o: 'other' };

/** Whether a directory resource asks for its entries (purge, or a purge report). */
export function listsEntries(r: DesiredResource): boolean {
  return r.kind === 'directory' && r.spec.state !== 'absent' && (r.spec.purge === true || r.spec.purge === 'report');
}

/** sh lines printing `E I` for each listed directory that exists, then `e I <f|l|d|o> x<hex name>` per entry. */
export function entriesLines(resources: readonly DesiredResource[]): string[] {
  return resources.flatMap((r, i) => {
    if (!listsEntries(r)) return [];
    const p = q(specString(r, 'path') ?? r.key);
    return [
      `if [ -d ${p} ] && [ ! -L ${p} ]; then echo "$_T E ${i}"; for _e in ${p}/* ${p}/.[!.]* ${p}/..?*; do`,
      '  [ -e "$_e" ] || [ -L "$_e" ] || continue',
      '  if [ -L "$_e" ]; then _ty=l; elif [ -d "$_e" ]; then _ty=d; elif [ -f "$_e" ]; then _ty=f; else _ty=o; fi',
      '  echo "$_T e ' + i + ' $_ty x$(_hxs "${_e##*/}")"; done; fi',
    ];
  });
}

/** The entries of one directory from its `E` / `e` records (sorted by name); undefined when not listed. */
export function parseEntries(section: string, records: readonly ProbeRecord[]): DirEntry[] | undefined {
  if (!records.some((r) => r.tag === 'E')) return undefined;
  return records.filter((r) => r.tag === 'e').map((r) => {
    const type = TYPES[r.fields[0] ?? ''];
    if (!type) throw probeOutputError(section, `malformed entry record: ${r.fields.join(' ')}`);
    return { name: decodeHexField(section, r.fields[1]), type };
  }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
