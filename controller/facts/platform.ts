/**
 * Platform facts: /etc/os-release, which package manager tools exist, and whether systemd is PID 1.
 * The platform section is always part of the probe; its parser returns a PlatformFact, not resource facts.
 */
import { probeOutputError, single, type ProbeSection } from './common.js';
import type { PackageManager, PlatformFact, PlatformFamily } from './types.js';

/** Section name of the platform facts. */
export const PLATFORM_SECTION = 'platform';

const TOOLS = ['apt-get', 'dnf', 'yum', 'apk', 'dpkg-query', 'rpm'] as const;

/**
 * The platform fragment (independent of resources): `osv KEY=value` for the ID, ID_LIKE and
 * VERSION_ID lines of os-release (read with sh builtins only: the probe's fixed cost stays small),
 * `tools - <names found>`, `init systemd|other`.
 */
export function platformFragment(): string {
  return [
    'for _f in /etc/os-release /usr/lib/os-release; do [ -r "$_f" ] || continue',
    `  while IFS= read -r _l || [ -n "$_l" ]; do case $_l in ID=*|ID_LIKE=*|VERSION_ID=*) printf '%s osv %s\\n' "$_T" "$_l";; esac; done < "$_f"; break`,
    'done',
    `_m=; for _c in ${TOOLS.join(' ')}; do command -v "$_c" >/dev/null 2>&1 && _m="$_m $_c"; done`,
    `echo "$_T tools -$_m"`,
    `if [ -d /run/systemd/system ]; then echo "$_T init systemd"; else echo "$_T init other"; fi`,
  ].join('\n');
}

/** Parses the platform section. Throws E_PROBE_OUTPUT when a record is missing or malformed. */
export function parsePlatform(section: ProbeSection): PlatformFact {
  const name = section.name;
  const tools = single(name, section.records, 'tools');
  const init = single(name, section.records, 'init');
  if (!tools || !init) throw probeOutputError(name, 'missing tools or init record');
  const release = parseOsRelease(section.records.filter((r) => r.tag === 'osv').map((r) => r.fields.join(' ')).join('\n'));
  const found = new Set(tools.fields.slice(1));
  const id = release.ID ?? 'unknown';
  const family = familyOf([id, ...(release.ID_LIKE ?? '').split(/\s+/)]);
  return {
    id,
    family,
    version: release.VERSION_ID ?? '',
    packageManager: packageManagerOf(family, found),
    initSystem: init.fields[0] === 'systemd' ? 'systemd' : 'other',
  };
}

/** Parses os-release text (KEY=value, values optionally quoted with sh-style escapes). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    out[m[1]!] = unquote(m[2]!);
  }
  return out;
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\([\\$"`])/g, '$1');
  return v;
}

const FAMILIES: Record<string, PlatformFamily> = {
  debian: 'debian', ubuntu: 'debian', raspbian: 'debian', linuxmint: 'debian',
  rhel: 'rhel', centos: 'rhel', fedora: 'rhel', rocky: 'rhel', almalinux: 'rhel', ol: 'rhel', amzn: 'rhel',
  alpine: 'alpine',
};

function familyOf(ids: readonly string[]): PlatformFamily {
  for (const id of ids) {
    const family = FAMILIES[id.toLowerCase()];
    if (family) return family;
  }
  return 'unknown';
}

function packageManagerOf(family: PlatformFamily, tools: ReadonlySet<string>): PackageManager {
  if (family === 'alpine' && tools.has('apk')) return 'apk';
  if (tools.has('apt-get') && tools.has('dpkg-query')) return 'apt';
  if (tools.has('dnf')) return 'dnf';
  if (tools.has('yum')) return 'yum';
  if (tools.has('apk')) return 'apk';
  return 'unknown';
}
