import type { DesiredResource } from '../../manifests/types.js';

/** The fabric-style verb of a resource's work step, by kind and package manager. */
function verbFor(resource: DesiredResource, packageManager: string): string {
  switch (resource.kind) {
    case 'package':
      return packageManager === 'apt' ? 'aptget' : packageManager === 'apk' ? 'apk' : packageManager === 'unknown' ? 'install' : 'yum';
    case 'file': case 'symlink': case 'line': case 'cron': case 'sysctl':
      return 'regen';
    default:
      return 'install';
  }
}

/**
 * The phase of a resource's work step: `regen` for kinds whose content drover renders (files, symlinks,
 * lines, cron entries, sysctl values), `install` for the rest. By kind, so a `step:` override keeps it.
 */
export function workPhase(resource: DesiredResource): 'install' | 'regen' {
  return verbFor(resource, 'unknown') === 'regen' ? 'regen' : 'install';
}

/** Turns a key into a step-name fragment: lower case, [a-z0-9_] only. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'root';
}

/** The shortest tail of a path (by segments) that is unique among `paths`. */
function shortPath(path: string, paths: readonly string[]): string {
  const parts = path.split('/').filter(Boolean);
  for (let n = 1; n <= parts.length; n++) {
    const tail = parts.slice(-n).join('/');
    const clash = paths.some((p) => p !== path && slug(p.split('/').filter(Boolean).slice(-n).join('/')) === slug(tail));
    if (!clash) return tail;
  }
  return parts.join('/');
}

const PATH_KINDS = new Set(['file', 'directory', 'symlink', 'git', 'ssh_key', 'line']);

/**
 * Names every resource's work step, following the seed conventions: `aptget_nginx`,
 * `regen_nginx_conf`, `install_user_django`. Names are unique per host; a manifest `step:`
 * overrides. Returns id -> step name.
 */
export function nameSteps(resources: readonly DesiredResource[], packageManager: string): Map<string, string> {
  const paths = resources.filter((r) => PATH_KINDS.has(r.kind)).map((r) => pathOf(r));
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const r of resources) {
    const base = r.step ?? defaultName(r, packageManager, paths);
    let name = base;
    for (let i = 2; used.has(name) && r.step === undefined; i++) name = `${base}_${i}`;
    used.add(name);
    names.set(r.id, name);
  }
  return names;
}

function pathOf(r: DesiredResource): string {
  return r.kind === 'line' ? String(r.spec.path ?? r.key) : r.key;
}

function defaultName(r: DesiredResource, packageManager: string, paths: readonly string[]): string {
  const verb = verbFor(r, packageManager);
  if (r.kind === 'package') return `${verb}_${slug(r.key)}`;
  if (r.kind === 'file' || r.kind === 'symlink') return `${verb}_${slug(shortPath(r.key, paths))}`;
  if (r.kind === 'line') return `regen_line_${slug(shortPath(pathOf(r), paths))}`;
  if (PATH_KINDS.has(r.kind)) return `${verb}_${r.kind === 'directory' ? 'dir' : r.kind}_${slug(shortPath(r.key, paths))}`;
  const prefix = r.kind === 'cron' || r.kind === 'sysctl' ? '' : `${r.kind}_`;
  return `${verb}_${prefix}${slug(r.key)}`;
}

/** The compound step grouping a resource's steps: `setup_<role>`, or `setup_<host>` for host/group resources. */
export function groupName(resource: DesiredResource, hostName: string): string {
  return `setup_${slug(resource.role ?? hostName)}`;
}
