/**
 * The YAML files as plain data, after schema validation (so the shapes hold), with invalid
 * parts removed: an invalid list item is replaced by null (keeping indexes, which locate
 * nodes), any other invalid top-level key is deleted.
 */

/** A resource as written in a manifest. */
export type RawResource = Record<string, unknown> & { kind: string };

/** A `roles:` entry: a role name or `{ role, params }`. */
export type RawRoleEntry = string | { role: string; params?: Record<string, unknown> };

/** A role test as written in a role file. */
export interface RawTest {
  name: string;
  command?: string;
  tcp?: number | string | { host?: string; port: number };
  http?: string;
  status?: number;
}

/** A host's or group's `reconcile:` policy. */
export interface RawReconcilePolicy {
  mode: 'report' | 'selfHeal';
}

/** Fields shared by host and group files. */
export interface RawNode {
  reconcile?: RawReconcilePolicy;
  /** Hosts (or `group:NAME`) this one is applied after (host-order.ts). */
  after?: (string | null)[];
  roles?: (RawRoleEntry | null)[];
  params?: Record<string, Record<string, unknown>>;
  data?: Record<string, unknown>;
  resources?: (RawResource | null)[];
}

/** hosts/<name>.yaml */
export interface RawHost extends RawNode {
  address?: string;
  port?: number;
  user?: string;
  platform?: string;
  state?: string;
  sudo?: boolean;
  groups?: (string | null)[];
}

/** groups/<name>.yaml */
export interface RawGroup extends RawNode {
  include?: (string | null)[];
  port?: number;
  user?: string;
  platform?: string;
  state?: string;
  sudo?: boolean;
}

/** A declared role param. */
export interface RawParam {
  default?: unknown;
  required?: boolean;
  description?: string;
}

/** roles/<name>.yaml */
export interface RawRole {
  description?: string;
  after?: (string | null)[];
  params?: Record<string, RawParam | null>;
  resources?: (RawResource | null)[];
  tests?: (RawTest | null)[];
  platforms?: Record<string, { params?: Record<string, unknown>; resources?: (RawResource | null)[] }>;
}

/** drover.yaml */
export interface RawSettings {
  defaults?: {
    state?: string; user?: string; port?: number; platform?: string; sudo?: boolean;
    data?: Record<string, unknown>;
    params?: Record<string, Record<string, unknown>>;
  };
  resolver?: Record<string, string>;
  settings?: { backups?: number; prune?: boolean; concurrency?: number; repository?: string; confirmWithin?: string | number; reboot?: 'never' | 'report' | 'auto'; rebootTimeout?: string;
    conflict?: { repairs?: number; within?: string };
  };
}

/** The name of a `roles:` entry. */
export function roleName(entry: RawRoleEntry): string {
  return typeof entry === 'string' ? entry : entry.role;
}
