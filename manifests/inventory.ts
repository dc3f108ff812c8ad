/**
 * The inventory graph: host, group and role names, group includes (meta nodes), and the
 * checks on names and references between files.
 */
import type { ProblemList } from './problems.js';
import type { SourceFile } from './read.js';
import { didYouMean } from './messages.js';
import { roleName, type RawGroup, type RawHost, type RawNode, type RawRole, type RawSettings } from './raw.js';

/** Names and group structure of a repository. */
export interface Inventory {
  hosts: Map<string, SourceFile>;
  groups: Map<string, SourceFile>;
  roles: Map<string, SourceFile>;
  /** Hosts of each group, expanded in include order, then hosts naming the group in `groups:`. */
  members: Map<string, string[]>;
  /** Groups of a host in merge order: outer meta groups before inner, then the host's `groups:` order. */
  groupsOf(host: string): string[];
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Builds the inventory and reports bad names, unknown references and include cycles. */
export function buildInventory(options: { hosts: SourceFile[]; groups: SourceFile[]; roles: SourceFile[]; problems: ProblemList }): Inventory {
  const { problems } = options;
  const hosts = new Map(options.hosts.map((s) => [s.name, s]));
  const groups = new Map(options.groups.map((s) => [s.name, s]));
  const roles = new Map(options.roles.map((s) => [s.name, s]));
  checkNames(hosts, groups, problems);
  checkGroupIncludes(hosts, groups, problems);
  reportCycles(groups, problems);
  const parents = parentMap(hosts, groups);
  const members = new Map([...groups.keys()].map((g) => [g, expandGroup(g, { hosts, groups })]));
  return {
    hosts, groups, roles, members,
    groupsOf: (host) => orderGroups(host, { hosts, groups, parents }),
  };
}

function checkNames(hosts: Map<string, SourceFile>, groups: Map<string, SourceFile>, problems: ProblemList): void {
  for (const [name, source] of hosts) {
    if (!HOST_NAME.test(name)) {
      problems.add({ file: source.file, line: 0, col: 0, path: '', message: `"${name}" is not a valid host name: use letters, digits, "-" and "." (e.g. web-1.example.com)` });
    }
  }
  for (const [name, source] of groups) {
    if (hosts.has(name)) problems.add({ file: source.file, line: 0, col: 0, path: '', message: `group "${name}" has the name of host hosts/${name}.yaml; rename one of them so include entries are unambiguous` });
  }
}

function groupValue(source: SourceFile | undefined): RawGroup {
  return (source?.value ?? {}) as RawGroup;
}

function checkGroupIncludes(hosts: Map<string, SourceFile>, groups: Map<string, SourceFile>, problems: ProblemList): void {
  const known = [...hosts.keys(), ...groups.keys()];
  for (const [, source] of groups) {
    groupValue(source).include?.forEach((entry, i) => {
      if (entry === null || hosts.has(entry) || groups.has(entry)) return;
      problems.at(source, ['include', i], `unknown host or group "${entry}"${didYouMean(entry, known)}`);
    });
  }
  for (const [, source] of hosts) {
    ((source.value ?? {}) as RawHost).groups?.forEach((entry, i) => {
      if (entry === null || groups.has(entry)) return;
      problems.at(source, ['groups', i], `unknown group "${entry}"${didYouMean(entry, groups.keys())}; groups are the files groups/<name>.yaml`);
    });
  }
}

function subgroups(name: string, groups: Map<string, SourceFile>): string[] {
  return (groupValue(groups.get(name)).include ?? []).filter((e): e is string => e !== null && groups.has(e));
}

function reportCycles(groups: Map<string, SourceFile>, problems: ProblemList): void {
  const done = new Set<string>();
  const reported = new Set<string>();
  const visit = (name: string, stack: string[]): void => {
    if (stack.includes(name)) {
      reportCycle(stack.slice(stack.indexOf(name)), { groups, problems, reported });
      return;
    }
    if (done.has(name)) return;
    for (const child of subgroups(name, groups)) visit(child, [...stack, name]);
    done.add(name);
  };
  for (const name of [...groups.keys()].sort()) visit(name, []);
}

function reportCycle(cycle: string[], ctx: { groups: Map<string, SourceFile>; problems: ProblemList; reported: Set<string> }): void {
  const start = cycle.indexOf([...cycle].sort()[0]!);
  const ordered = [...cycle.slice(start), ...cycle.slice(0, start)];
  const text = [...ordered, ordered[0]].join(' -> ');
  if (ctx.reported.has(text)) return;
  ctx.reported.add(text);
  const source = ctx.groups.get(ordered[0]!)!;
  const index = (groupValue(source).include ?? []).indexOf(ordered[1 % ordered.length]!);
  ctx.problems.at(source, ['include', index], `group include cycle: ${text}; a group cannot include itself, directly or through others`);
}

function parentMap(hosts: Map<string, SourceFile>, groups: Map<string, SourceFile>): Map<string, string[]> {
  const parents = new Map<string, string[]>();
  for (const name of [...groups.keys()].sort()) {
    for (const entry of groupValue(groups.get(name)).include ?? []) {
      if (entry === null || !(hosts.has(entry) || groups.has(entry))) continue;
      const list = parents.get(entry) ?? [];
      if (!list.includes(name)) list.push(name);
      parents.set(entry, list);
    }
  }
  return parents;
}

function expandGroup(name: string, ctx: { hosts: Map<string, SourceFile>; groups: Map<string, SourceFile> }): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (group: string): void => {
    if (seen.has(group)) return;
    seen.add(group);
    for (const entry of groupValue(ctx.groups.get(group)).include ?? []) {
      if (entry !== null && ctx.hosts.has(entry) && !out.includes(entry)) out.push(entry);
      else if (entry !== null && ctx.groups.has(entry)) walk(entry);
    }
    for (const [host, source] of ctx.hosts) {
      if (((source.value ?? {}) as RawHost).groups?.includes(group) && !out.includes(host)) out.push(host);
    }
  };
  walk(name);
  return out;
}

function orderGroups(host: string, ctx: { hosts: Map<string, SourceFile>; groups: Map<string, SourceFile>; parents: Map<string, string[]> }): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const emit = (group: string): void => {
    if (seen.has(group)) return;
    seen.add(group);
    for (const parent of ctx.parents.get(group) ?? []) emit(parent);
    out.push(group);
  };
  const own = ((ctx.hosts.get(host)?.value ?? {}) as RawHost).groups ?? [];
  for (const group of [...(ctx.parents.get(host) ?? []), ...own.filter((g): g is string => g !== null)]) {
    if (ctx.groups.has(group)) emit(group);
  }
  return out;
}

/** Reports `roles:` entries and `params.<role>` keys naming roles that do not exist, in hosts, groups and drover.yaml. */
export function checkRoleReferences(inventory: Inventory, settings: SourceFile | undefined, problems: ProblemList): void {
  const nodes = [...inventory.hosts.values(), ...inventory.groups.values()];
  for (const source of nodes) {
    const node = (source.value ?? {}) as RawNode;
    node.roles?.forEach((entry, i) => {
      const role = entry === null ? undefined : inventory.roles.get(roleName(entry));
      if (role && typeof entry === 'object') checkDeclaredParams({ source, path: ['roles', i, 'params'], values: entry?.params, role, problems });
      if (entry === null || role) return;
      const path = typeof entry === 'string' ? ['roles', i] : ['roles', i, 'role'];
      problems.at(source, path, `unknown role "${roleName(entry)}"${didYouMean(roleName(entry), inventory.roles.keys())}; roles are the files roles/<name>.yaml`);
    });
    checkParamKeys(source, ['params'], node.params, { inventory, problems });
  }
  if (settings?.value) checkParamKeys(settings, ['defaults', 'params'], (settings.value as RawSettings).defaults?.params, { inventory, problems });
}

function checkParamKeys(source: SourceFile, at: string[], params: Record<string, Record<string, unknown>> | undefined, ctx: { inventory: Inventory; problems: ProblemList }): void {
  for (const [role, values] of Object.entries(params ?? {})) {
    const roleSource = ctx.inventory.roles.get(role);
    if (!roleSource) {
      ctx.problems.at(source, [...at, role], `params for unknown role "${role}"${didYouMean(role, ctx.inventory.roles.keys())}`, { key: true });
    } else {
      checkDeclaredParams({ source, path: [...at, role], values, role: roleSource, problems: ctx.problems });
    }
  }
}

/** Reports params given at `path` that the role does not declare. */
export function checkDeclaredParams(options: { source: SourceFile; path: (string | number)[]; values: Record<string, unknown> | undefined; role: SourceFile; problems: ProblemList }): void {
  const declared = Object.keys((options.role.value as RawRole | undefined)?.params ?? {});
  if (!options.role.value) return;
  for (const key of Object.keys(options.values ?? {})) {
    if (declared.includes(key)) continue;
    const hint = declared.length ? didYouMean(key, declared) || `; declared params: ${declared.join(', ')}` : '; the role declares no params';
    options.problems.at(options.source, [...options.path, key], `param "${key}" is not declared by role "${options.role.name}"${hint}`, { key: true });
  }
}
