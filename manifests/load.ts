/**
 * loadRepository(): a manifest repository directory -> one DesiredState per host, with every
 * problem found (read -> validate -> inventory -> per host: merge, roles, render, check).
 */
import { DroverError, ManifestInvalidError, type ManifestProblem } from './errors.js';
import { buildInventory, checkDeclaredParams, checkRoleReferences, type Inventory } from './inventory.js';
import { collectRoles, familyOf, mergeData, mergeHostFields, mergeReconcilePolicy, type MergeInput, type NodeSource } from './merge.js';
import { didYouMean } from './messages.js';
import { createProblemList, type ProblemList } from './problems.js';
import { locate, readRepositoryFiles, releaseDocument, type PathSegment, type SourceFile } from './read.js';
import type { RawHost, RawNode, RawRole, RawSettings } from './raw.js';
import type { HostScope } from './render.js';
import { assembleResources, assembleTests } from './resources.js';
import { instantiateRole, type Declaration } from './roles.js';
import { createTemplateEngine, type TemplateEngine } from './templates.js';
import type { DesiredState, HookScript, RepositorySettings } from './types.js';
import { readPolicies, type RepositoryPolicies } from './policies.js';
import { mergeReboot } from './merge-reboot.js';
import { mergeConfirmWithin } from './merge-guard.js';
import { mergeConflictPolicy } from './merge-conflict.js';
import { mergeRollbackOnFailedTests } from './merge-rollback.js';
import { resolveAfter } from './host-order.js';
import { createManifestValidator, validateFile, type ManifestValidator } from './validate.js';
import { createYielder, mapYielding, type Yielder } from './yield.js';
import { createSharedValues, type SharedValues } from './shared-values.js';

/** A loaded repository. `hosts` is complete and trustworthy only when `problems` is empty. */
export interface LoadedRepository {
  root: string;
  /** One DesiredState per host (sorted by name; only the requested ones with `options.hosts`). */
  hosts: DesiredState[];
  groups: string[];
  roles: string[];
  settings: RepositorySettings;
  /** Every problem, sorted by file, line and column. */
  problems: ManifestProblem[];
  /** Hosts of each group, expanded in include order (for selecting hosts by group). */
  members: Record<string, string[]>;
  /** Rollout policies and maintenance windows (drover.yaml and groups). */
  policies: RepositoryPolicies;
}

/** Options of loadRepository(). */
export interface LoadOptions {
  /** Only build these hosts (every file is still validated). Unknown names throw E_HOST_UNKNOWN. */
  hosts?: string[];
  /** Validators compiled once and reused across loads (see createManifestValidator()). */
  validator?: ManifestValidator;
  /** Called between files and hosts to give the event loop a turn (default: createYielder(), every ~8 ms). */
  yielder?: Yielder;
}

/**
 * Reads and validates the whole repository, giving the event loop a turn every few ms between files
 * and hosts (so a controller keeps answering while it loads a revision). Never throws for bad input (problems are
 * collected); throws DroverError E_REPO_NOT_FOUND when root is not a directory and
 * E_HOST_UNKNOWN when `options.hosts` names a host without a hosts/<name>.yaml.
 */
export async function loadRepository(root: string, options: LoadOptions = {}): Promise<LoadedRepository> {
  const pause = options.yielder ?? createYielder();
  const problems = createProblemList();
  const validator = options.validator ?? createManifestValidator();
  const schemaOf = { hosts: validator.host, groups: validator.group, roles: validator.role };
  // Each file is validated as it is parsed; a host file's document is then released (one per host
  // would otherwise be held until the whole inventory is built), keeping the positions its host's origins need.
  const files = await readRepositoryFiles(root, {
    pause,
    parsed: (source, dir) => {
      validateFile({ source, validate: schemaOf[dir], problems });
      if (dir === 'hosts') releaseDocument(source, originPlaces(source));
    },
  });
  for (const p of files.problems) problems.add(p);
  if (files.settings) validateFile({ source: files.settings, validate: validator.drover, problems });
  const settings = (files.settings?.value ?? {}) as RawSettings;
  const inventory = buildInventory({ hosts: files.hosts, groups: files.groups, roles: files.roles, problems });
  checkRoleReferences(inventory, files.settings, problems);
  checkPlatformParams(inventory, problems);
  const names = selectHosts(inventory, options.hosts);
  const repositorySettings = toRepositorySettings(settings);
  const ctx: BuildContext = {
    inventory, settings, engine: createTemplateEngine(root), validator, problems, hooks: files.hooks, repositorySettings,
    keptSecrets: new Set(files.secrets), shared: createSharedValues(),
  };
  const hosts = (await mapYielding(names, pause, (name) => buildHost(name, ctx))).flatMap((h) => h ?? []);
  const after = resolveAfter({ inventory, rolesOf: (name) => rolesOf(name, inventory, settings), problems });
  for (const desired of hosts) {
    const own = after.get(desired.host.name);
    if (own) desired.host.after = own;
  }
  const policies = readPolicies({ ...(files.settings ? { settings: files.settings } : {}), groups: inventory.groups, problems });
  return {
    root, hosts,
    groups: [...inventory.groups.keys()], roles: [...inventory.roles.keys()],
    settings: repositorySettings, problems: problems.sorted(),
    members: Object.fromEntries(inventory.members), policies,
  };
}

/** Same as loadRepository(), but throws ManifestInvalidError(problems) when any problem was found. */
export async function loadValidRepository(root: string, options: LoadOptions = {}): Promise<LoadedRepository> {
  const loaded = await loadRepository(root, options);
  if (loaded.problems.length > 0) throw new ManifestInvalidError(loaded.problems);
  return loaded;
}

interface BuildContext {
  inventory: Inventory;
  settings: RawSettings;
  engine: TemplateEngine;
  validator: ManifestValidator;
  problems: ProblemList;
  hooks: HookScript[];
  repositorySettings: RepositorySettings;
  keptSecrets: ReadonlySet<string>;
  shared: SharedValues;
}

function selectHosts(inventory: Inventory, wanted: string[] | undefined): string[] {
  if (!wanted) return [...inventory.hosts.keys()];
  for (const name of wanted) {
    if (!inventory.hosts.has(name)) {
      throw new DroverError('E_HOST_UNKNOWN', `unknown host "${name}"${didYouMean(name, inventory.hosts.keys())}; hosts are the files hosts/<name>.yaml`);
    }
  }
  return [...inventory.hosts.keys()].filter((n) => wanted.includes(n));
}

function toRepositorySettings(settings: RawSettings): RepositorySettings {
  const s = settings.settings ?? {};
  const out: RepositorySettings = { backups: s.backups ?? 5, prune: s.prune ?? false, concurrency: s.concurrency ?? 20 };
  if (s.repository !== undefined) out.repository = s.repository;
  return out;
}

function checkPlatformParams(inventory: Inventory, problems: ProblemList): void {
  for (const role of inventory.roles.values()) {
    for (const [key, override] of Object.entries((role.value as RawRole | undefined)?.platforms ?? {})) {
      checkDeclaredParams({ source: role, path: ['platforms', key, 'params'], values: override?.params, role, problems });
    }
  }
}

/** The roles of a host in merge order (for `after:` entries of roles, also of hosts not built in this load). */
function rolesOf(name: string, inventory: Inventory, settings: RawSettings): string[] {
  const [host] = nodeOf(name, inventory.hosts.get(name));
  if (!host) return [];
  const groups = inventory.groupsOf(name).flatMap((g) => nodeOf(g, inventory.groups.get(g)));
  return collectRoles({ settings, groups, host }, (r) => inventory.roles.get(r)?.value !== undefined).map((use) => use.name);
}

function nodeOf(name: string, source: SourceFile | undefined): NodeSource[] {
  return source?.value ? [{ name, source, value: source.value as NodeSource['value'] }] : [];
}

function buildHost(name: string, ctx: BuildContext): DesiredState | undefined {
  const { inventory } = ctx;
  const [host] = nodeOf(name, inventory.hosts.get(name));
  if (!host) return undefined;
  const groupNames = inventory.groupsOf(name);
  const groups = groupNames.flatMap((g) => nodeOf(g, inventory.groups.get(g)));
  const input: MergeInput = { settings: ctx.settings, groups, host };
  const fields = mergeHostFields(input);
  const family = familyOf(fields.platform);
  const data = mergeData(input);
  const uses = collectRoles(input, (r) => inventory.roles.get(r)?.value !== undefined);
  const roles = uses.map((use) => instantiateRole({
    use, role: inventory.roles.get(use.name)!, platform: fields.platform, family,
    settings: ctx.settings, groups, host, problems: ctx.problems,
  }));
  const roleNames = roles.map((r) => r.name);
  const view = { name, ...fields, family, groups: groupNames, roles: roleNames };
  const scope: HostScope = {
    name, hostFile: host.source.file, state: fields.state, view, data,
    resolve: (target) => resolveAddress(target, ctx), engine: ctx.engine, validator: ctx.validator, problems: ctx.problems,
    contexts: new Map(), keptSecrets: ctx.keptSecrets, shared: ctx.shared,
  };
  const resources = assembleResources({ scope, groups: groups.flatMap(declarations), roles, own: declarations(host) });
  const reconcile = mergeReconcilePolicy(input);
  const rollback = mergeRollbackOnFailedTests(input, roles.map((r) => inventory.roles.get(r.name)));
  const confirmWithin = mergeConfirmWithin(input, roles.map((r) => inventory.roles.get(r.name)), ctx.settings.settings?.confirmWithin);
  const conflict = mergeConflictPolicy(input, roles.map((r) => inventory.roles.get(r.name)), ctx.settings.settings?.conflict);
  const reboot = mergeReboot(input, roles.map((r) => inventory.roles.get(r.name)), ctx.settings.settings);
  return {
    host: {
      ...view, data, origin: { file: host.source.file, ...locate(host.source, []) }, ...(reconcile ? { reconcile } : {}), ...(rollback ? { rollbackOnFailedTests: true } : {}),
      ...(confirmWithin === undefined ? {} : { confirmWithinMs: confirmWithin }), ...reboot,
      ...(conflict === undefined ? {} : { conflict }),
    },
    resources,
    tests: roles.flatMap((r) => assembleTests(r, scope)),
    hooks: ctx.hooks,
    settings: ctx.repositorySettings,
  };
}

/** The places of a host file that buildHost() locates for every load: the host and its own resources. */
function originPlaces(source: SourceFile): PathSegment[][] {
  const resources = (source.value as RawNode | undefined)?.resources;
  return [[], ...(Array.isArray(resources) ? resources.map((_, i) => ['resources', i]) : [])];
}

/** Params seen by host and group resources: none (one object, so its template context is built once per host). */
const NO_PARAMS: Record<string, unknown> = Object.freeze({});

function declarations(node: NodeSource): Declaration[] {
  return ((node.value as RawNode).resources ?? []).flatMap((raw, i) => (raw ? [{ raw, source: node.source, path: ['resources', i], params: NO_PARAMS }] : []));
}

/** resolve(name): drover.yaml resolver, else another inventory host's address, else an error. */
function resolveAddress(target: string, ctx: BuildContext): string {
  const name = String(target);
  const override = ctx.settings.resolver?.[name];
  if (override !== undefined) return override;
  const address = (ctx.inventory.hosts.get(name)?.value as RawHost | undefined)?.address;
  if (address !== undefined) return address;
  const known = [...Object.keys(ctx.settings.resolver ?? {}), ...ctx.inventory.hosts.keys()];
  throw new Error(`resolve("${name}"): no such host and no resolver entry in drover.yaml${didYouMean(name, known)}`);
}
