/**
 * The desired-state side of drover: what a manifest repository says one host should be.
 * Produced by loadRepository(); consumed by facts (what to observe) and plan (what to change).
 * Plain JSON-serialisable data.
 */

import type { Resource } from '../schema/generated/resource.js';
import type { SecretValue } from './secret-value.js';

export type { SecretValue } from './secret-value.js';

/** The resource kinds (schema/resource.schema.json). */
export type ResourceKind = Resource['kind'];

/** What a resource of kind K declares, typed by the schema (the generated types; values after templating). */
export type ResourceSpec<K extends ResourceKind = ResourceKind> = Extract<Resource, { kind: K }>;

/** Where something was declared in the repository (1-based line/col). */
export interface Origin {
  file: string;
  line: number;
  col: number;
}

export interface HostInfo {
  name: string;
  address: string;
  port: number;
  user: string;
  platform: string;
  /** Platform family: debian, rhel or alpine. */
  family: string;
  state: string;
  sudo: boolean;
  /** Groups the host belongs to, in merge order. */
  groups: string[];
  /** Roles applied to the host, in order. */
  roles: string[];
  data: Record<string, unknown>;
  origin: Origin;
  /**
   * The host's `reconcile:` policy (a group's applies to its members, the host's own wins); absent when
   * neither declares one (the controller's `selfHeal` decides).
   */
  reconcile?: { mode: 'report' | 'selfHeal' };
  /** Put the run's files back when test_* checks fail after an apply (host > groups > roles); absent = false. */
  rollbackOnFailedTests?: boolean;
  /**
   * Hosts this one is applied after (`after:` of the host, its groups and roles, groups expanded; sorted):
   * for a new revision it is applied only once they are Synced on it. Absent when none.
   */
  after?: string[];
  /**
   * The lockout guard's confirmation time in ms (`confirmWithin`: host > groups > roles > drover.yaml settings);
   * absent when none declares one (DEFAULT_CONFIRM_WITHIN_MS, manifests/merge-guard.ts); 0 disables the guard.
   */
  confirmWithinMs?: number;
  /**
   * When self-heal gives up on a resource that drifts back (`conflict`: host > groups > roles > drover.yaml
   * settings, field by field); absent when none declares one (DEFAULT_CONFLICT_POLICY, manifests/merge-conflict.ts).
   */
  conflict?: { repairs: number; withinMs: number };
  /**
   * What drover does when the host needs a reboot (`reboot`: host > groups > roles > drover.yaml settings);
   * absent when none declares it (`report`, manifests/merge-reboot.ts).
   */
  reboot?: 'never' | 'report' | 'auto';
  /** How long a rebooted host may take to come back, in ms (`rebootTimeout`, same precedence); absent: 5 minutes. */
  rebootTimeoutMs?: number;
}

/** File content after rendering. `secrets` lists secret names whose placeholders the text holds. */
export interface FileContent {
  text?: string;
  /** For binary `source` files. */
  base64?: string;
  /** sha256 (hex) of the bytes as declared (placeholders unsubstituted). */
  sha256: string;
  secrets: string[];
}

/**
 * One resource of a host. `DesiredResource` is the union over kinds, so checking `kind` narrows `spec` to
 * the kind's generated type (`DesiredResource<'file'>` has a FileResource spec).
 */
export type DesiredResource<K extends ResourceKind = ResourceKind> = K extends ResourceKind ? DesiredResourceOf<K> : never;

/** A resource of exactly kind K. */
export interface DesiredResourceOf<K extends ResourceKind> {
  /** `kind:key`, e.g. `file:/etc/nginx/nginx.conf`. */
  id: string;
  kind: K;
  key: string;
  /** The resource as declared, after templating of string values; `when`, `content`, `template`, `source` resolved. */
  spec: ResourceSpec<K>;
  origin: Origin;
  /** Role that declared it; undefined for host or group resources. */
  role?: string;
  dependsOn: string[];
  notify: string[];
  /** Step name override from the manifest, if any. */
  step?: string;
  /** Only for kind `file` with state present. */
  content?: FileContent;
  /**
   * Only for kind `secret` whose value the repository keeps (secrets/<name>.age), once decrypted
   * (attachRepositorySecrets): the value drover writes to the host instead of generating one.
   */
  value?: SecretValue;
}

/** A post-apply check declared by a role (`tests:`). */
export interface DesiredTest {
  role: string;
  name: string;
  command?: string;
  tcp?: { host: string; port: number };
  http?: { url: string; status: number };
  origin: Origin;
}

/** Hook scripts from scripts/{pre,post}/<step>/ (contents read at load time). */
export interface HookScript {
  step: string;
  phase: 'pre' | 'post';
  name: string;
  script: string;
}

export interface RepositorySettings {
  backups: number;
  prune: boolean;
  concurrency: number;
  /** `settings.repository`: names this repository's inventory on hosts (undefined: the unnamed one). */
  repository?: string;
}

export interface DesiredState {
  host: HostInfo;
  /**
   * Every secret of the repository (secrets/*.age), once decrypted: outputs mask these values
   * wherever they appear, whether or not this host uses them.
   */
  repositorySecrets?: ReadonlyMap<string, SecretValue>;
  resources: DesiredResource[];
  tests: DesiredTest[];
  hooks: HookScript[];
  settings: RepositorySettings;
}

/**
 * A resource's fields by name, for code that reads a field whatever the kind (probe fragments, generic
 * helpers). Typed access goes through `kind`-narrowed `spec` instead.
 */
export function specFields(resource: DesiredResource): Readonly<Record<string, unknown>> {
  return resource.spec as unknown as Readonly<Record<string, unknown>>;
}

/** True when the resource is declared `state: absent` (it should not exist on the host). */
export function wantsAbsent(resource: DesiredResource): boolean {
  return 'state' in resource.spec && resource.spec.state === 'absent';
}
