/**
 * purge_* steps: directories drover owns (`purge: true`, Puppet's `purge => true`) lose the files and
 * symlinks directly in them that no resource of the host declares; with `purge: report` the same steps
 * are listed, marked `report`, and never run. Subdirectories and other types are never purged; `keep`
 * names (shell patterns) are left alone. Pure: the entries come from the directory's fact.
 */
import type { DesiredResource, DesiredState } from '../../manifests/types.js';
import { cronPath } from '../facts/cron.js';
import { secretPath } from '../facts/files.js';
import { sysctlPersistPath } from '../facts/sysctl.js';
import type { ObservedState } from '../facts/types.js';
import { groupName, slug } from './naming.js';
import type { PlanStep } from './types.js';

/** Every path a resource of the host declares or makes (what purge never removes). */
export function declaredPaths(resources: readonly DesiredResource[]): Set<string> {
  const out = new Set<string>();
  for (const r of resources) {
    const path = typeof (r.spec as { path?: unknown }).path === 'string' ? (r.spec as { path: string }).path : undefined;
    if (r.kind === 'cron') out.add(cronPath(r.key));
    else if (r.kind === 'sysctl') out.add(sysctlPersistPath(r.key));
    else if (r.kind === 'secret') out.add(secretPath(r.key, resources));
    else if (r.kind === 'ssh_key') out.add(r.key).add(`${r.key}.pub`);
    // What a command's guard looks for is its to make: purging it would run the command on every apply.
    else if (r.kind === 'command' && typeof r.spec.creates === 'string') out.add(r.spec.creates);
    if (path !== undefined) out.add(path);
    else if (r.kind === 'file' || r.kind === 'directory' || r.kind === 'symlink' || r.kind === 'git') out.add(r.key);
  }
  return out;
}

/** A shell pattern (`*`, `?`, `[...]`, `[!...]`) as a RegExp over a whole name. */
export function shellPattern(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const close = c === '[' ? pattern.indexOf(']', i + 2) : -1;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (close > 0) {
      const body = pattern.slice(i + 1, close).replace(/[\\^]/g, '\\$&');
      re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/** The purge steps of one owned directory: its undeclared files and symlinks, in name order. */
function stepsOf(r: DesiredResource<'directory'>, ctx: { observed: ObservedState; declared: Set<string>; host: string; used: Set<string> }): PlanStep[] {
  const fact = ctx.observed.resources[r.id];
  if (fact?.kind !== 'directory' || !fact.entries) return [];
  const dir = r.spec.path;
  const keep = (r.spec.keep ?? []).map(shellPattern);
  const report = r.spec.purge === 'report';
  return fact.entries.flatMap((e) => {
    const path = `${dir === '/' ? '' : dir}/${e.name}`;
    if ((e.type !== 'file' && e.type !== 'symlink') || ctx.declared.has(path) || keep.some((k) => k.test(e.name))) return [];
    let name = `purge_${slug(path)}`;
    for (let i = 2; ctx.used.has(name); i++) name = `purge_${slug(path)}_${i}`;
    ctx.used.add(name);
    const why = report ? 'purge: report; not removed' : `purge; kept in the backup store, restore_dir_${slug(dir)} brings it back`;
    return [{
      name, phase: 'clean' as const, group: groupName(r, ctx.host), resource: r.id, kind: 'directory' as const, action: 'delete' as const,
      reasons: [`${e.type} ${path} is not declared in ${dir} (${why})`], notifies: [],
      purge: { path, type: e.type }, ...(report ? { report: true as const } : {}),
    }];
  });
}

/**
 * `steps` with the purge steps of every owned directory inserted before the first handler or test step
 * (after every work step: declared entries are written first); `steps` unchanged when there are none.
 */
export function withPurgeSteps(desired: DesiredState, observed: ObservedState, steps: readonly PlanStep[]): PlanStep[] {
  const owned = desired.resources.filter((r): r is DesiredResource<'directory'> => r.kind === 'directory' && r.spec.state !== 'absent' && (r.spec.purge ?? false) !== false);
  if (owned.length === 0) return [...steps];
  const ctx = { observed, declared: declaredPaths(desired.resources), host: desired.host.name, used: new Set(steps.map((s) => s.name)) };
  const purge = owned.flatMap((r) => stepsOf(r, ctx));
  const at = steps.findIndex((s) => s.phase === 'handler' || s.phase === 'test');
  const cut = at < 0 ? steps.length : at;
  return [...steps.slice(0, cut), ...purge, ...steps.slice(cut)];
}
