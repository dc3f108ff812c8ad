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

/**
 * Returns a function giving the shortest tail of a path (by segments) whose slug no other of `paths`
 * shares at that length. Tails are indexed once per length (a host has hundreds of paths; comparing
 * every pair at every length was quadratic).
 */
function shortPathNamer(paths: readonly string[]): (path: string) => string {
  const distinct = new Set(paths);
  const split = (p: string): string[] => p.split('/').filter(Boolean);
  const segments = [...distinct].map(split);
  const byLength = new Map<number, Map<string, number>>();
  const tailCounts = (n: number): Map<string, number> => {
    let counts = byLength.get(n);
    if (!counts) {
      counts = new Map();
      for (const parts of segments) {
        const key = slug(parts.slice(-n).join('/'));
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      byLength.set(n, counts);
    }
    return counts;
  };
  return (path) => {
    const parts = split(path);
    const own = distinct.has(path) ? 1 : 0;
    for (let n = 1; n <= parts.length; n++) {
      const tail = parts.slice(-n).join('/');
      if ((tailCounts(n).get(slug(tail)) ?? 0) - own === 0) return tail;
    }
    return parts.join('/');
  };
}

const PATH_KINDS = new Set(['file', 'directory', 'symlink', 'git', 'ssh_key', 'line']);

/**
 * Names every resource's work step, following the seed conventions: `aptget_nginx`,
 * `regen_nginx_conf`, `install_user_django`. Names are unique per host; a manifest `step:`
 * overrides. Returns id -> step name.
 */
export function nameSteps(resources: readonly DesiredResource[], packageManager: string): Map<string, string> {
  const shortPath = shortPathNamer(resources.filter((r) => PATH_KINDS.has(r.kind)).map((r) => pathOf(r)));
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const r of resources) {
    const base = r.step ?? defaultName(r, packageManager, shortPath);
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

function defaultName(r: DesiredResource, packageManager: string, shortPath: (path: string) => string): string {
  const verb = verbFor(r, packageManager);
  if (r.kind === 'package') return `${verb}_${slug(r.key)}`;
  if (r.kind === 'file' || r.kind === 'symlink') return `${verb}_${slug(shortPath(r.key))}`;
  if (r.kind === 'line') return `regen_line_${slug(shortPath(pathOf(r)))}`;
  if (PATH_KINDS.has(r.kind)) return `${verb}_${r.kind === 'directory' ? 'dir' : r.kind}_${slug(shortPath(r.key))}`;
  const prefix = r.kind === 'cron' || r.kind === 'sysctl' ? '' : `${r.kind}_`;
  return `${verb}_${prefix}${slug(r.key)}`;
}

/** The compound step grouping a resource's steps: `setup_<role>`, or `setup_<host>` for host/group resources. */
export function groupName(resource: DesiredResource, hostName: string): string {
  return `setup_${slug(resource.role ?? hostName)}`;
}
