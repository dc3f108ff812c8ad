/**
 * Renders one resource declaration for one host: `when`, `{{ }}` string values, the check
 * after rendering, and file content (inline, template or source).
 */
import { createHash } from 'node:crypto';
import type { ProblemList } from './problems.js';
import { formatPath, type PathSegment, type SourceFile } from './read.js';
import type { Declaration } from './roles.js';
import type { SharedValues } from './shared-values.js';
import { TemplateFailure, isTemplated, type SecretAwareText, type TemplateContext, type TemplateEngine } from './templates.js';
import type { DesiredResource, FileContent, Origin, ResourceKind, ResourceSpec } from './types.js';
import { validateRendered, type ManifestValidator } from './validate.js';

/** What rendering needs to know about the host and the load. */
export interface HostScope {
  name: string;
  /** `hosts/<name>.yaml`: problems in other (shared) files name the host. */
  hostFile: string;
  state: string;
  view: Record<string, unknown>;
  data: Record<string, unknown>;
  resolve: (name: string) => string;
  engine: TemplateEngine;
  validator: ManifestValidator;
  problems: ProblemList;
  /** Template contexts by params object, built once per host and role. */
  contexts: Map<Record<string, unknown>, TemplateContext>;
  /** Names of the secrets the repository keeps (secrets/<name>.age). */
  keptSecrets: ReadonlySet<string>;
  /** Values kept once for all the hosts of the load (ids, specs, origins, contents). */
  shared: SharedValues;
}

/** The result of rendering a declaration: kept, dropped by `when` (with its id when known), or failed (problems reported). */
export type RenderOutcome =
  | { status: 'kept'; resource: DesiredResource; declaration: Declaration }
  | { status: 'dropped'; id?: string }
  | { status: 'failed' };

const PLACEHOLDER = /\{\{drover-secret:([^}]+)\}\}/g;

/** The template context for a host and a role's params (docs/design.md "Templates"); cached in the scope. */
export function templateContext(scope: HostScope, params: Record<string, unknown>): TemplateContext {
  let context = scope.contexts.get(params);
  if (!context) {
    context = {
      ...scope.data, ...params,
      host: scope.view, data: scope.data, params,
      resolve: scope.resolve,
      secret: (name: unknown) => scope.engine.secret(name),
    };
    scope.contexts.set(params, context);
  }
  return context;
}

/** Host name to append to problems found in a shared file. */
export function hostTag(scope: HostScope, source: SourceFile): string | undefined {
  return source.file === scope.hostFile ? undefined : scope.name;
}

/** The id key of a resource: name, path, key, or path:line / path:regexp for `line`. */
export function resourceKey(kind: string, spec: Record<string, unknown>): string {
  switch (kind) {
    case 'sysctl': return String(spec.key);
    case 'line': return `${String(spec.path)}:${String(spec.regexp ?? spec.line)}`;
    case 'file': case 'directory': case 'symlink': case 'git': case 'ssh_key': return String(spec.path);
    default: return String(spec.name);
  }
}

/** Renders a declaration for the host; problems go to `scope.problems`. */
export function renderDeclaration(d: Declaration, scope: HostScope): RenderOutcome {
  const context = templateContext(scope, d.params);
  const host = hostTag(scope, d.source);
  const fail = (path: PathSegment[], failure: unknown): RenderOutcome => reportFailure({ d, path, failure, scope, host });
  if (typeof d.raw.when === 'string') {
    let keep: boolean;
    try {
      keep = scope.engine.evaluate(d.raw.when, context);
    } catch (failure) {
      return fail([...d.path, 'when'], failure);
    }
    if (!keep) return { status: 'dropped', id: droppedId(d, scope, context) };
  }
  const { when: _when, ...declared } = d.raw;
  const failures: { path: PathSegment[]; failure: unknown }[] = [];
  // A file's inline content is rendered with the template file rules (secret() allowed) in fileContent().
  const { content, ...attributes } = declared;
  const rendered = renderDeep(attributes, { scope, context, failures }) as Record<string, unknown>;
  if (content !== undefined) rendered.content = content;
  for (const f of failures) fail([...d.path, ...f.path], f.failure);
  if (failures.length > 0) return { status: 'failed' };
  const validate = scope.validator.resource;
  if (rendered !== attributes && !validateRendered({ resource: rendered, declared, source: d.source, path: d.path, validate, problems: scope.problems, host })) {
    return { status: 'failed' };
  }
  return finish({ d, rendered: { ...rendered }, scope, context, host });
}

function finish(options: { d: Declaration; rendered: Record<string, unknown>; scope: HostScope; context: TemplateContext; host: string | undefined }): RenderOutcome {
  const { d, rendered, scope: { shared } } = options;
  const kind = shared.text(rendered.kind as string) as ResourceKind;
  const key = shared.text(resourceKey(kind, rendered));
  const origin: Origin = shared.origin(d.source, d.path);
  const { dependsOn, notify, step, content: _content, ...spec } = rendered;
  // validateRendered checked `rendered` against the schema: it is a resource of its kind.
  const resource = {
    id: shared.text(`${kind}:${key}`), kind, key, spec: spec as unknown as ResourceSpec, origin,
    dependsOn: shared.ids((dependsOn as string[] | undefined) ?? []), notify: shared.ids((notify as string[] | undefined) ?? []),
  } as DesiredResource;
  if (d.role !== undefined) resource.role = d.role;
  if (typeof step === 'string') resource.step = step;
  if (resource.kind === 'file' && resource.spec.state !== 'absent') {
    const content = fileContent({ ...options, resource });
    if (!content) return { status: 'failed' };
    resource.content = shared.content(content);
    // A file holding a secret must not be world-readable by default (the plan and apply read the mode from here).
    if (content.secrets.length > 0 && resource.spec.mode === undefined) resource.spec.mode = '0600';
  }
  resource.spec = shared.spec(resource.spec);
  return { status: 'kept', resource, declaration: d };
}

function fileContent(options: { d: Declaration; rendered: Record<string, unknown>; scope: HostScope; context: TemplateContext; host: string | undefined; resource: DesiredResource<'file'> }): FileContent | undefined {
  const { d, rendered, scope, resource } = options;
  if (typeof rendered.content === 'string') {
    try {
      return textContent(scope.engine.renderText(rendered.content, options.context));
    } catch (failure) {
      reportFailure({ d, path: [...d.path, 'content'], failure, scope, host: options.host });
      return undefined;
    }
  }
  const field = typeof rendered.template === 'string' ? 'template' : 'source';
  const declaredPath = String(rendered[field]);
  const file = findRepoFile({ ...options, field, declaredPath });
  if (!file) return undefined;
  resource.spec[field] = file;
  if (field === 'source') return bytesContent(scope.engine.read(file));
  try {
    return textContent(scope.engine.renderFile(file, options.context));
  } catch (failure) {
    const used = `used by ${resource.id} declared at ${resource.origin.file}:${resource.origin.line}:${resource.origin.col}`;
    if (failure instanceof TemplateFailure && failure.file) {
      scope.problems.add({ file: failure.file, line: failure.line, col: failure.col, path: '', message: `${failure.message} (${used})` }, scope.name);
    } else {
      reportFailure({ d, path: [...d.path, field], failure, scope, host: options.host });
    }
    return undefined;
  }
}

function findRepoFile(options: { d: Declaration; scope: HostScope; host: string | undefined; field: string; declaredPath: string }): string | undefined {
  const { d, scope, field, declaredPath } = options;
  const at = [...d.path, field];
  let component = d.role;
  let path = declaredPath;
  if (component === undefined) {
    const slash = declaredPath.indexOf('/');
    if (slash <= 0) {
      scope.problems.at(d.source, at, `in host and group files a ${field} path starts with its component, e.g. "apache/${declaredPath}" for templates/apache/<state>/${declaredPath}`, { host: options.host });
      return undefined;
    }
    [component, path] = [declaredPath.slice(0, slash), declaredPath.slice(slash + 1)];
  }
  const { found, tried, outside } = scope.engine.find({ component, state: scope.state, path });
  if (outside) scope.problems.at(d.source, at, `${field} "${declaredPath}": ${outside}`, { host: options.host });
  else if (!found) scope.problems.at(d.source, at, `${field} "${declaredPath}" not found; tried ${tried.join(', ')}`, { host: options.host });
  return found;
}

function textContent({ text, secrets }: SecretAwareText): FileContent {
  return { text, sha256: sha256(Buffer.from(text, 'utf8')), secrets };
}

function bytesContent(bytes: Buffer): FileContent {
  const text = bytes.toString('utf8');
  const isText = !text.includes('\u0000') && Buffer.from(text, 'utf8').equals(bytes);
  return isText ? { text, sha256: sha256(bytes), secrets: [] } : { base64: bytes.toString('base64'), sha256: sha256(bytes), secrets: [] };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Names of the secret placeholders in a rendered text, sorted, each once. */
export function secretNames(text: string): string[] {
  if (!text.includes('{{drover-secret:')) return [];
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}

/**
 * Renders every `{{ }}` string in `value` for the host and params. Returns the rendered value
 * (the same object when nothing was templated) or undefined after reporting the failures.
 */
export function renderStrings(options: { value: unknown; source: SourceFile; path: PathSegment[]; params: Record<string, unknown>; scope: HostScope }): unknown {
  const { scope, source, path } = options;
  const failures: { path: PathSegment[]; failure: unknown }[] = [];
  const out = renderDeep(options.value, { scope, context: templateContext(scope, options.params), failures });
  const d = { source, path: [], params: options.params } as unknown as Declaration;
  for (const f of failures) reportFailure({ d, path: [...path, ...f.path], failure: f.failure, scope, host: hostTag(scope, source) });
  return failures.length > 0 ? undefined : out;
}

interface RenderState {
  scope: HostScope;
  context: TemplateContext;
  failures: { path: PathSegment[]; failure: unknown }[];
  /** Path of the value being rendered (a stack, copied only on failure). */
  at?: PathSegment[];
}

function renderDeep(value: unknown, state: RenderState): unknown {
  const at = (state.at ??= []);
  if (typeof value === 'string') {
    if (!isTemplated(value)) return value;
    try {
      return state.scope.engine.renderValue(value, state.context);
    } catch (failure) {
      state.failures.push({ path: [...at], failure });
      return value;
    }
  }
  if (value === null || typeof value !== 'object') return value;
  let out: unknown[] | Record<string, unknown> | undefined;
  const keys = Array.isArray(value) ? value.keys() : Object.keys(value);
  for (const key of keys) {
    const child = (value as Record<string | number, unknown>)[key];
    at.push(key);
    const rendered = renderDeep(child, state);
    at.pop();
    if (rendered === child && !out) continue;
    out ??= Array.isArray(value) ? [...value] : { ...value };
    (out as Record<string | number, unknown>)[key] = rendered;
  }
  return out ?? value;
}

function droppedId(d: Declaration, scope: HostScope, context: TemplateContext): string | undefined {
  try {
    const spec = renderDeep(d.raw, { scope, context, failures: [] }) as Record<string, unknown>;
    return `${String(d.raw.kind)}:${resourceKey(String(d.raw.kind), spec)}`;
  } catch {
    return undefined;
  }
}

function reportFailure(options: { d: Declaration; path: PathSegment[]; failure: unknown; scope: HostScope; host: string | undefined }): RenderOutcome {
  const { d, path, failure, scope } = options;
  if (failure instanceof TemplateFailure && failure.file) {
    scope.problems.add({ file: failure.file, line: failure.line, col: failure.col, path: '', message: `${failure.message} (used by ${d.source.file} ${formatPath(path)})` }, scope.name);
  } else {
    const message = failure instanceof Error ? failure.message : String(failure);
    scope.problems.at(d.source, path, message, { host: options.host });
  }
  return { status: 'failed' };
}
