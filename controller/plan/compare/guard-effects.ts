/**
 * Which earlier steps of a run can change the outcome of a command's `unless` / `onlyIf` guard. The probe
 * checks guards before any change; a guard's verdict is stale only when an earlier step touches what the
 * guard looks at. drover cannot read arbitrary sh, so it counts a step as related when the command
 * depends on its resource (`dependsOn`, directly or through other resources: the way to say so
 * explicitly), or when the guard names the resource: a path at, under or above the resource's path (the
 * command's `cwd` counts, as relative paths lead there), or the name of a package, user, group, service or
 * sysctl key as a word. Pure.
 */
import type { DesiredResource } from '../../../manifests/types.js';
import { defaultSecretPath } from '../../facts/files.js';

/** An earlier step of the run that changes (or may change) its resource. */
export interface EarlierChange {
  resource: DesiredResource;
  step: string;
}

/** Paths a resource's step writes. */
function pathsOf(r: DesiredResource): string[] {
  const path = 'path' in r.spec ? r.spec.path : undefined;
  switch (r.kind) {
    case 'file': case 'directory': case 'symlink': case 'git': case 'line': return [path ?? r.key];
    case 'ssh_key': return [r.key, `${r.key}.pub`];
    case 'secret': return [path ?? defaultSecretPath(r.key)];
    case 'cron': return [`/etc/cron.d/drover-${r.key}`];
    case 'sysctl': return [`/proc/sys/${r.key.replace(/\./g, '/')}`];
    case 'command': return typeof r.spec.creates === 'string' ? [r.spec.creates] : [];
    default: return [];
  }
}

const NAMED_KINDS = new Set(['package', 'user', 'group', 'service', 'sysctl']);

/** Absolute paths written in a sh text (up to a character that ends a word or a quoted string). */
function pathTokens(text: string): string[] {
  return [...text.matchAll(/(?<![\w.~-])\/[^\s'"`;|&<>()$*?[\]{}]*/g)].map((m) => m[0].replace(/\/+$/, '') || '/');
}

function related(path: string, token: string): boolean {
  return token === path || token.startsWith(`${path}/`) || (token !== '/' && path.startsWith(`${token}/`));
}

function namesWord(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.+/@-])${escaped}(?![\\w.+/@-])`).test(text);
}

/** Why the guard (its text, and its working directory, where relative paths lead) names `r`; undefined when it does not. */
function mention(guards: { text: string; cwd: string | undefined }, r: DesiredResource): string | undefined {
  const tokens = pathTokens(guards.text);
  const path = pathsOf(r).find((p) => tokens.some((t) => related(p, t)));
  if (path !== undefined) return `the guard looks at ${tokens.find((t) => related(path, t))}`;
  if (guards.cwd !== undefined && pathsOf(r).some((p) => related(p, guards.cwd!))) return `the guard runs in ${guards.cwd}`;
  const text = guards.text;
  if (NAMED_KINDS.has(r.kind) && namesWord(text, r.key)) return `the guard names ${r.key}`;
  return undefined;
}

/** Every resource id `id` depends on, directly or through others (dependsOn only). */
export function dependsOnClosure(byId: ReadonlyMap<string, DesiredResource>, id: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(byId.get(id)?.dependsOn ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(byId.get(next)?.dependsOn ?? []));
  }
  return seen;
}

/**
 * The earlier changes that can turn the guards' verdict (`guards.text`: the unless/onlyIf texts, run in
 * `guards.cwd`), each as `<step> (<why>)`, in run order. Empty when none can: the probe's verdict stands.
 */
export function guardEffects(guards: { text: string; cwd: string | undefined }, dependsOn: ReadonlySet<string>, earlier: readonly EarlierChange[]): string[] {
  return earlier.flatMap(({ resource, step }) => {
    const why = dependsOn.has(resource.id) ? `dependsOn ${resource.id}` : mention(guards, resource);
    return why === undefined ? [] : [`${step} (${why})`];
  });
}
