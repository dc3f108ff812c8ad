/**
 * Package facts: one package-manager call for all package resources of a host, chosen on the
 * host at run time: dpkg-query (Debian family), else `apk info -v` (Alpine), else rpm (RHEL family).
 */
import type { DesiredResource } from '../../manifests/types.js';
import { probeOutputError, q, type FactDomain, type ProbeRecord, type ProbeSection } from './common.js';
import type { Fact, PackageFact } from './types.js';

/** Package names we pass to a package manager; anything else (globs, options) is reported not installed. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9.+_:~@-]*$/;

const DPKG_FORMAT = `' p \${Package} \${Architecture} \${Status} =\${Version}\\n'`;
const RPM_FORMAT = `' p %{NAME} %{ARCH} install ok installed =%|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE}\\n'`;

function packageName(r: DesiredResource): string {
  return r.kind === 'package' ? r.spec.name : r.key;
}

/** The packages fragment: `pm <dpkg|apk|rpm|none>` then `p NAME ARCH W1 W2 STATUS =VERSION` or `a NAME-VERSION` records. */
export function packagesFragment(resources: readonly DesiredResource[]): string {
  const names = [...new Set(resources.map(packageName).filter((n) => SAFE_NAME.test(n)))];
  const args = names.map(q).join(' ');
  const query = names.length > 0;
  return [
    'if command -v dpkg-query >/dev/null 2>&1; then echo "$_T pm dpkg"',
    query ? `  dpkg-query -W --showformat="$_T"${DPKG_FORMAT} -- ${args} 2>/dev/null` : '  :',
    'elif command -v apk >/dev/null 2>&1; then echo "$_T pm apk"',
    `  apk info -v 2>/dev/null | while read -r _l; do printf '%s a %s\\n' "$_T" "$_l"; done`,
    'elif command -v rpm >/dev/null 2>&1; then echo "$_T pm rpm"',
    query ? `  rpm -q --qf "$_T"${RPM_FORMAT} -- ${args} 2>/dev/null` : '  :',
    'else echo "$_T pm none"; fi',
  ].join('\n');
}

interface Installed {
  name: string;
  arch: string;
  installed: boolean;
  version: string;
}

function parseManagerRecord(section: string, r: ProbeRecord): Installed {
  if (r.tag === 'a') {
    // apk: NAME-VERSION-rN; Alpine versions never hold '-' except before the release.
    const m = /^(.+)-([^-]+-r\d+)$/.exec(r.fields[0] ?? '');
    if (!m || r.fields.length !== 1) throw probeOutputError(section, `malformed apk record: ${r.fields.join(' ')}`);
    return { name: m[1]!, arch: '', installed: true, version: m[2]! };
  }
  const [name, arch, , , status, version] = r.fields;
  if (r.fields.length !== 6 || !version!.startsWith('=')) throw probeOutputError(section, `malformed package record: ${r.fields.join(' ')}`);
  return { name: name!, arch: arch!, installed: status === 'installed', version: version!.slice(1) };
}

function matches(wanted: string, p: Installed): boolean {
  return wanted === p.name || wanted === `${p.name}:${p.arch}` || wanted === `${p.name}.${p.arch}`;
}

/** Parses the packages section into a PackageFact per package resource. */
export function parsePackages(section: ProbeSection, resources: readonly DesiredResource[]): Record<string, Fact> {
  const pm = section.records.find((r) => r.tag === 'pm');
  if (!pm) throw probeOutputError(section.name, 'no "pm" record');
  const found = section.records.filter((r) => r.tag === 'p' || r.tag === 'a').map((r) => parseManagerRecord(section.name, r));
  const out: Record<string, Fact> = {};
  for (const r of resources) {
    const name = packageName(r);
    const hits = found.filter((p) => p.installed && matches(name, p));
    const fact: PackageFact = { kind: 'package', installed: hits.length > 0 };
    if (hits.length > 0) fact.version = hits[hits.length - 1]!.version;
    out[r.id] = fact;
  }
  return out;
}

/** The packages domain. */
export const packagesDomain: FactDomain = {
  section: 'packages',
  kinds: ['package'],
  fragment: (resources) => packagesFragment(resources),
  parse: parsePackages,
};
