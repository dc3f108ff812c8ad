/**
 * sysctl facts: the live value (read from /proc/sys, hex-encoded) and the sha256 of the file
 * drover persists the key in (/etc/sysctl.d/99-drover-<key>.conf).
 */
import type { DesiredResource } from '../../manifests/types.js';
import {
  decodeHexField, parseSha, probeOutputError, q, recordsByIndex, required, single, specString,
  type FactDomain, type ProbeSection,
} from './common.js';
import type { Fact, SysctlFact } from './types.js';

const KEY = /^[A-Za-z0-9_][A-Za-z0-9_.:/@-]*$/;

/**
 * Path of the file persisting `key`, named after the key's dotted form (a slash form key is
 * converted; a `/` left in the dotted form, i.e. a literal dot, becomes `_`): never outside /etc/sysctl.d.
 */
export function sysctlPersistPath(key: string): string {
  return `/etc/sysctl.d/99-drover-${dottedKey(key).replace(/\//g, '_')}.conf`;
}

function isSlashForm(key: string): boolean {
  const firstDot = key.indexOf('.');
  const firstSlash = key.indexOf('/');
  return firstSlash >= 0 && (firstDot < 0 || firstSlash < firstDot);
}

const swapSeparators = (key: string): string => key.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));

/** The dotted form of a sysctl key (`net/ipv4/ip_forward` -> `net.ipv4.ip_forward`). */
export function dottedKey(key: string): string {
  return isSlashForm(key) ? swapSeparators(key) : key;
}

/**
 * /proc/sys path of a key, as sysctl(8) maps it: in the dotted form `.` separates levels and `/`
 * stands for a literal dot (`net.ipv4.conf.eth0/100.forwarding`); a key in slash form is used as is.
 * Undefined for keys that could escape /proc/sys.
 */
export function procSysPath(key: string): string | undefined {
  if (!KEY.test(key) || key.split(/[./]/).some((s) => s === '' || s === '..')) return undefined;
  return `/proc/sys/${isSlashForm(key) ? key : swapSeparators(key)}`;
}

function keyOf(r: DesiredResource): string {
  return specString(r, 'key') ?? r.key;
}

/** The sysctl fragment: `v I x<value>` or `v I -` (no such key), and `h I <sha256>` when the persist file exists. */
export function sysctlFragment(resources: readonly DesiredResource[]): string {
  const lines = ['set --; _hi='];
  resources.forEach((r, i) => {
    const proc = procSysPath(keyOf(r));
    if (proc === undefined) lines.push(`echo "$_T v ${i} -"`);
    else lines.push(`if [ -f ${q(proc)} ]; then echo "$_T v ${i} x$(head -c 65536 < ${q(proc)} | _hx)"; else echo "$_T v ${i} -"; fi`);
    const persist = q(sysctlPersistPath(keyOf(r)));
    if (proc !== undefined) lines.push(`if [ -f ${persist} ] && [ ! -L ${persist} ]; then _hi="\${_hi}${i} "; set -- "$@" ${persist}; fi`);
  });
  lines.push('[ $# -gt 0 ] && _sha h "$_hi" "$@"');
  return lines.join('\n');
}

/** Parses the sysctl section into a SysctlFact per sysctl resource. */
export function parseSysctl(section: ProbeSection, resources: readonly DesiredResource[]): Record<string, Fact> {
  const byIndex = recordsByIndex(section, resources.length);
  const out: Record<string, Fact> = {};
  resources.forEach((r, i) => {
    const value = required(section.name, byIndex[i]!, 'v', r.id).fields[0];
    const fact: SysctlFact = { kind: 'sysctl', exists: value !== '-', persistPath: sysctlPersistPath(keyOf(r)) };
    if (value === undefined) throw probeOutputError(section.name, `empty value record for ${r.id}`);
    if (value !== '-') fact.value = decodeHexField(section.name, value).replace(/\n$/, '');
    const hash = single(section.name, byIndex[i]!, 'h');
    if (hash && hash.fields[0] !== 'gone') fact.persisted = parseSha(section.name, hash.fields[0]);
    out[r.id] = fact;
  });
  return out;
}

/** The sysctl domain. */
export const sysctlDomain: FactDomain = {
  section: 'sysctl',
  kinds: ['sysctl'],
  fragment: (resources) => sysctlFragment(resources),
  parse: parseSysctl,
};
