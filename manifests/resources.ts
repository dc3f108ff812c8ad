/**
 * The resources of one host: declarations rendered in merge order (groups, roles in role
 * order with platform overrides, host), ids deduplicated, references and secrets checked.
 */
import { findCycles } from './dependencies.js';
import { didYouMean } from './messages.js';
import { hostTag, renderDeclaration, renderStrings, secretNames, type HostScope } from './render.js';
import type { Declaration, RoleInstance } from './roles.js';
import type { DesiredResource, DesiredTest } from './types.js';

interface Kept {
  resource: DesiredResource;
  declaration: Declaration;
}

/** Renders and checks the resources of a host; problems go to `scope.problems`. */
export function assembleResources(options: { scope: HostScope; groups: Declaration[]; roles: RoleInstance[]; own: Declaration[] }): DesiredResource[] {
  const { scope } = options;
  const dropped = new Set<string>();
  const render = (list: Declaration[]): Kept[] => list.flatMap((d) => {
    const outcome = renderDeclaration(d, scope);
    if (outcome.status === 'dropped' && outcome.id) dropped.add(outcome.id);
    return outcome.status === 'kept' ? [{ resource: outcome.resource, declaration: outcome.declaration }] : [];
  });
  const all = [
    ...render(options.groups),
    ...options.roles.flatMap((role) => withOverrides(render(role.resources), render(role.overrides))),
    ...render(options.own),
  ];
  const kept = dedupe(all, scope);
  const ids = new Set(kept.map((k) => k.resource.id));
  for (const k of kept) {
    checkReferences(k, { ids, dropped, scope });
    checkSecrets(k, { ids, scope });
  }
  checkCycles(kept, scope);
  return kept.map((k) => k.resource);
}

/**
 * Resources that must each come after another in a circle (dependsOn, or a command after what notifies it)
 * cannot be ordered: one problem per cycle, at its first resource, naming every resource of it with its place.
 */
function checkCycles(kept: Kept[], scope: HostScope): void {
  const byId = new Map(kept.map((k) => [k.resource.id, k]));
  for (const cycle of findCycles(kept.map((k) => k.resource))) {
    const first = byId.get(cycle[0]!)!;
    const places = cycle.slice(0, -1).map((id) => {
      const o = byId.get(id)!.resource.origin;
      return `${id} (${o.file}:${o.line}:${o.col})`;
    });
    const viaNotify = cycle.some((id, i) => i > 0 && !byId.get(cycle[i - 1]!)!.resource.dependsOn.includes(id));
    const links = viaNotify ? 'dependsOn, or a notified command after what notifies it' : 'dependsOn';
    const message = `${viaNotify ? 'ordering' : 'dependsOn'} cycle: ${[...places, cycle[0]].join(' -> ')}; each must come after the next (${links}), `
      + 'so they cannot be ordered: remove one of these links';
    const at = first.resource.dependsOn.indexOf(cycle[1]!);
    const path = at >= 0 ? [...first.declaration.path, 'dependsOn', at] : first.declaration.path;
    scope.problems.at(first.declaration.source, path, message, { host: hostTag(scope, first.declaration.source) });
  }
}

/** Platform override resources replace base resources of the same id; others are appended. */
function withOverrides(base: Kept[], overrides: Kept[]): Kept[] {
  const out = [...base];
  for (const o of overrides) {
    const at = out.findIndex((b) => b.resource.id === o.resource.id);
    if (at >= 0) out[at] = o;
    else out.push(o);
  }
  return out;
}

function dedupe(all: Kept[], scope: HostScope): Kept[] {
  const byId = new Map<string, Kept>();
  for (const k of all) {
    const first = byId.get(k.resource.id);
    if (!first) {
      byId.set(k.resource.id, k);
      continue;
    }
    if (canonical(first.resource) === canonical(k.resource)) continue;
    const o = first.resource.origin;
    const message = `duplicate id "${k.resource.id}": declared differently at ${o.file}:${o.line}:${o.col}; make the declarations identical or keep only one`;
    scope.problems.at(k.declaration.source, k.declaration.path, message, { host: hostTag(scope, k.declaration.source) });
  }
  return [...byId.values()];
}

function canonical(r: DesiredResource): string {
  return stableStringify({ spec: r.spec, dependsOn: r.dependsOn, notify: r.notify, step: r.step, sha256: r.content?.sha256 });
}

/** JSON with object keys sorted, so equal data gives equal text. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function checkReferences(k: Kept, ctx: { ids: Set<string>; dropped: Set<string>; scope: HostScope }): void {
  const { resource, declaration: d } = k;
  const host = hostTag(ctx.scope, d.source);
  for (const field of ['dependsOn', 'notify'] as const) {
    const list = resource[field];
    const keep: string[] = [];
    list.forEach((id, i) => {
      if (ctx.dropped.has(id) && !ctx.ids.has(id)) return; // its `when` dropped it on this host
      keep.push(id);
      const at = [...d.path, field, i];
      if (!ctx.ids.has(id)) {
        ctx.scope.problems.at(d.source, at, `${field} "${id}" is not a resource of this host${didYouMean(id, ctx.ids)}`, { host });
      } else if (field === 'notify' && !/^(service|command):/.test(id)) {
        ctx.scope.problems.at(d.source, at, `notify "${id}" must name a service or command (only those react to changes)`, { host });
      }
    });
    resource[field] = ctx.scope.shared.ids(keep);
  }
}

function checkSecrets(k: Kept, ctx: { ids: Set<string>; scope: HostScope }): void {
  const { resource, declaration: d } = k;
  const names = new Set([...secretNames(JSON.stringify(resource.spec)), ...(resource.content?.secrets ?? [])]);
  const template = resource.kind === 'file' ? resource.spec.template : undefined;
  for (const name of [...names].sort()) {
    if (ctx.ids.has(`secret:${name}`)) continue;
    const declared = [...ctx.ids].filter((id) => id.startsWith('secret:')).map((id) => id.slice(7));
    const kept = ctx.scope.keptSecrets.has(name) ? ` (secrets/${name}.age keeps its value)` : '';
    const fix = didYouMean(name, declared) || `; add { kind: secret, name: ${name} } to the host${kept}`;
    const message = `secret("${name}") names no secret resource of this host${fix}`;
    const at = template === undefined ? undefined : findCall(ctx.scope.engine.read(template).toString('utf8'), name);
    if (template !== undefined && at) {
      const o = resource.origin;
      ctx.scope.problems.add({ file: template, ...at, path: '', message: `${message} (used by ${resource.id} declared at ${o.file}:${o.line}:${o.col})` }, ctx.scope.name);
    } else {
      const inner = pathOfString(d.raw, (text) => text.includes('secret(') && text.includes(name)) ?? [];
      ctx.scope.problems.at(d.source, [...d.path, ...inner], message, { host: hostTag(ctx.scope, d.source) });
    }
  }
}

/** Path of the first string in `value` that satisfies `test`. */
function pathOfString(value: unknown, test: (text: string) => boolean): (string | number)[] | undefined {
  if (typeof value === 'string') return test(value) ? [] : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = pathOfString(child, test);
    if (found) return [Array.isArray(value) ? Number(key) : key, ...found];
  }
  return undefined;
}

/** Position of `secret("name")` in a template source. */
function findCall(text: string, name: string): { line: number; col: number } | undefined {
  const match = new RegExp(`secret\\(\\s*["']${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']`).exec(text);
  if (!match) return undefined;
  const before = text.slice(0, match.index).split('\n');
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

/** The `tests:` of a role for a host, rendered. */
export function assembleTests(role: RoleInstance, scope: HostScope): DesiredTest[] {
  return role.tests.flatMap(({ test, source, path }) => {
    const t = renderStrings({ value: test, source, path, params: role.params, scope }) as typeof test | undefined;
    if (!t) return [];
    const out: DesiredTest = { role: role.name, name: t.name, origin: scope.shared.origin(source, path) };
    if (typeof t.command === 'string') out.command = t.command;
    if (t.tcp !== undefined) out.tcp = tcpTarget(t.tcp, (t as { host?: string }).host);
    if (typeof t.http === 'string') out.http = { url: t.http, status: t.status ?? 200 };
    return [out];
  });
}

function tcpTarget(tcp: unknown, host: string | undefined): { host: string; port: number } {
  if (typeof tcp === 'object' && tcp !== null) {
    const t = tcp as { host?: string; port: number };
    return { host: t.host ?? host ?? '127.0.0.1', port: Number(t.port) };
  }
  const text = String(tcp);
  const colon = text.lastIndexOf(':');
  return colon > 0 ? { host: text.slice(0, colon), port: Number(text.slice(colon + 1)) } : { host: host ?? '127.0.0.1', port: Number(text) };
}
