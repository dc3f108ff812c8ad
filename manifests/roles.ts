/**
 * Roles applied to one host: params resolved in merge order, platform overrides selected.
 * Param order (docs/design.md): declared defaults < platform override params <
 * drover.yaml defaults.params < groups' params (group order) < roles entries' params < host params.
 */
import type { NodeSource, RoleUse } from './merge.js';
import type { ProblemList } from './problems.js';
import type { PathSegment, SourceFile } from './read.js';
import type { RawResource, RawRole, RawSettings, RawTest } from './raw.js';

/** A resource declaration with where it comes from and the params its strings see. */
export interface Declaration {
  raw: RawResource;
  source: SourceFile;
  path: PathSegment[];
  role?: string;
  params: Record<string, unknown>;
}

/** A role as applied to one host. */
export interface RoleInstance {
  name: string;
  params: Record<string, unknown>;
  resources: Declaration[];
  /** Platform override resources (family first, then the exact platform): same id replaces, others append. */
  overrides: Declaration[];
  tests: { test: RawTest; source: SourceFile; path: PathSegment[] }[];
}

/** Platform override keys that apply, least specific first. */
export function platformKeys(platform: string, family: string): string[] {
  return family === platform ? [platform] : [family, platform];
}

/**
 * Instantiates a role for a host. Reports missing required params at the `roles:` entry that
 * brought the role in (naming the host when that entry is in a shared file).
 */
export function instantiateRole(options: {
  use: RoleUse; role: SourceFile; platform: string; family: string; settings: RawSettings;
  groups: NodeSource[]; host: NodeSource; problems: ProblemList;
}): RoleInstance {
  const { use, role, host } = options;
  const raw = (role.value ?? {}) as RawRole;
  const declared = raw.params ?? {};
  const keys = platformKeys(options.platform, options.family).filter((k) => raw.platforms?.[k]);
  const layers: (Record<string, unknown> | undefined)[] = [
    ...keys.map((k) => raw.platforms?.[k]?.params),
    options.settings.defaults?.params?.[use.name],
    ...options.groups.map((g) => g.value.params?.[use.name]),
    ...use.entries.map((e) => e.params),
    host.value.params?.[use.name],
  ];
  const params: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(declared)) if (spec?.default !== undefined) params[name] = spec.default;
  for (const layer of layers) {
    for (const [name, value] of Object.entries(layer ?? {})) if (name in declared) params[name] = value;
  }
  reportMissing({ use, declared, params, host, problems: options.problems });
  const declare = (list: (RawResource | null)[] | undefined, at: PathSegment[]): Declaration[] =>
    (list ?? []).flatMap((r, i) => (r ? [{ raw: r, source: role, path: [...at, i], role: use.name, params }] : []));
  return {
    name: use.name,
    params,
    resources: declare(raw.resources, ['resources']),
    overrides: keys.flatMap((k) => declare(raw.platforms?.[k]?.resources, ['platforms', k, 'resources'])),
    tests: (raw.tests ?? []).flatMap((t, i) => (t ? [{ test: t, source: role, path: ['tests', i] }] : [])),
  };
}

function reportMissing(options: {
  use: RoleUse; declared: Record<string, { required?: boolean } | null>; params: Record<string, unknown>;
  host: NodeSource; problems: ProblemList;
}): void {
  const { use, declared, params, host } = options;
  const entry = use.entries[0]!;
  const shared = entry.source !== host.source;
  for (const [name, spec] of Object.entries(declared)) {
    if (!spec?.required || params[name] !== undefined) continue;
    const message = `role "${use.name}" needs param "${name}"; give it in params.${use.name} of the host or a group, or in this roles entry`;
    options.problems.at(entry.source, entry.path, message, { host: shared ? host.name : undefined });
  }
}
