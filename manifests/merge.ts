/**
 * Merge order of host fields, data and roles (docs/design.md "Merge order"):
 * drover.yaml defaults < groups (outer before inner, then the host's `groups:` order) < host.
 */
import type { SourceFile } from './read.js';
import { roleName, type RawGroup, type RawHost, type RawNode, type RawSettings } from './raw.js';

/** Platform -> family (debian, rhel, alpine). */
export const PLATFORM_FAMILY: Readonly<Record<string, string>> = Object.freeze({
  debian: 'debian', ubuntu: 'debian',
  rhel: 'rhel', centos: 'rhel', rocky: 'rhel', almalinux: 'rhel', fedora: 'rhel',
  alpine: 'alpine',
});

/** The family of a platform; the platform itself when unknown. */
export function familyOf(platform: string): string {
  return PLATFORM_FAMILY[platform] ?? platform;
}

/** A group or host file with its validated content. */
export interface NodeSource {
  name: string;
  source: SourceFile;
  value: RawNode & RawGroup & RawHost;
}

/** What is merged for one host: settings, its groups in merge order, the host itself. */
export interface MergeInput {
  settings: RawSettings;
  groups: NodeSource[];
  host: NodeSource;
}

/** Connection and variant fields of a host after merging. */
export interface HostFields {
  address: string;
  port: number;
  user: string;
  platform: string;
  state: string;
  sudo: boolean;
}

/** Merges user, port, platform, state and sudo: defaults < groups < host; built-in defaults last. */
export function mergeHostFields(input: MergeInput): HostFields {
  const layers = [input.settings.defaults ?? {}, ...input.groups.map((g) => g.value), input.host.value];
  const pick = <K extends keyof HostFields>(key: K, fallback: HostFields[K]): HostFields[K] => {
    let value = fallback;
    for (const layer of layers) {
      const v = (layer as Partial<HostFields>)[key];
      if (v !== undefined && v !== null) value = v as HostFields[K];
    }
    return value;
  };
  return {
    address: input.host.value.address ?? '',
    port: pick('port', 22), user: pick('user', 'root'), platform: pick('platform', 'debian'),
    state: pick('state', 'default'), sudo: pick('sudo', false),
  };
}

/** The `reconcile:` policy: the last of groups (in merge order) then the host that declares one wins. */
export function mergeReconcilePolicy(input: MergeInput): { mode: 'report' | 'selfHeal' } | undefined {
  let policy: { mode: 'report' | 'selfHeal' } | undefined;
  for (const layer of [...input.groups.map((g) => g.value), input.host.value]) {
    if (layer.reconcile?.mode) policy = { mode: layer.reconcile.mode };
  }
  return policy;
}

/** Deep merge: mappings merge key by key, anything else (lists included) is replaced by `over`. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

/** True for a mapping (not a list, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Template data: defaults.data < each group's data (merge order) < host data. */
export function mergeData(input: MergeInput): Record<string, unknown> {
  let data: Record<string, unknown> = { ...(input.settings.defaults?.data ?? {}) };
  for (const node of [...input.groups, input.host]) data = deepMerge(data, node.value.data ?? {});
  return data;
}

/** One use of a role on a host: every `roles:` entry naming it, in merge order. */
export interface RoleUse {
  name: string;
  /** Entries naming the role: where they are and the params they give. */
  entries: { source: SourceFile; path: (string | number)[]; params: Record<string, unknown> }[];
}

/** Roles of a host: group roles (group order) then host roles; first occurrence wins the position. */
export function collectRoles(input: MergeInput, known: (name: string) => boolean): RoleUse[] {
  const uses = new Map<string, RoleUse>();
  for (const node of [...input.groups, input.host]) {
    node.value.roles?.forEach((entry, i) => {
      if (entry === null || !known(roleName(entry))) return;
      const name = roleName(entry);
      const use = uses.get(name) ?? { name, entries: [] };
      use.entries.push({ source: node.source, path: ['roles', i], params: typeof entry === 'string' ? {} : (entry.params ?? {}) });
      uses.set(name, use);
    });
  }
  return [...uses.values()];
}
