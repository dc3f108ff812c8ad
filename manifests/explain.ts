/**
 * Turns Ajv errors (verbose mode) into messages in user terms, one per mistake: unknown keys
 * with "did you mean", wrong types with the value given, enums, unknown resource kinds, and
 * one message instead of Ajv's oneOf/anyOf/if noise.
 */
import type { ErrorObject } from 'ajv';
import { closestMatch, describeType, describeValue, didYouMean, orList } from './messages.js';
import type { PathSegment } from './read.js';
import type { ResourceKind } from './types.js';

/** One explained mistake: where (path in the document; the key itself with `key`) and what. */
export interface Explained {
  path: PathSegment[];
  key?: boolean;
  message: string;
  /** For an unknown key: the known key it is probably a typo of. */
  suggests?: string;
  /** For a missing key (or a set of alternatives): the keys it asks for. */
  missing?: string[];
  /** Set on a message another one already says better: not reported, but still an error. */
  hidden?: boolean;
}

/** Every resource kind, for "did you mean". */
export const RESOURCE_KINDS: readonly ResourceKind[] = [
  'package', 'file', 'directory', 'symlink', 'line', 'user', 'group',
  'service', 'command', 'git', 'secret', 'ssh_key', 'cron', 'sysctl',
];

/** Explains Ajv errors (from a validator compiled with `verbose: true`) for `data`. */
export function explainErrors(errors: readonly ErrorObject[], data: unknown): Explained[] {
  const dropped = new Set<ErrorObject>();
  const composites = new Map<ErrorObject, { message?: string; missing?: string[] }>();
  errors.forEach((error, index) => {
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf') {
      const value = valueAt(data, pointerToPath(error.instancePath, data));
      const { drop, ...explained } = explainComposite(error, precedingRun(errors, index, error.instancePath), value);
      for (const e of drop) dropped.add(e);
      composites.set(error, explained);
    } else if (error.keyword === 'propertyNames') {
      for (const e of precedingRun(errors, index, error.instancePath)) if (e.instancePath === error.instancePath) dropped.add(e);
    }
  });
  const out: Explained[] = [];
  for (const error of errors) {
    if (dropped.has(error)) continue;
    const path = pointerToPath(error.instancePath, data);
    const composite = composites.get(error);
    const explained = composite ? { path, message: composite.message ?? '', missing: composite.missing } : explainOne(error, path, data);
    if (explained) out.push(explained);
  }
  return dedupe(withoutEchoes(out.filter((e) => e.message !== '')));
}

/**
 * An unknown key that is a typo of a required key also shows up as "missing required key";
 * the "did you mean" message says it all, so the echo is marked hidden.
 */
function withoutEchoes(items: Explained[]): Explained[] {
  const suggested = new Set(items.flatMap((e) => (e.suggests ? [`${JSON.stringify(e.path.slice(0, -1))}\0${e.suggests}`] : [])));
  return items.map((e) => ((e.missing ?? []).some((key) => suggested.has(`${JSON.stringify(e.path)}\0${key}`)) ? { ...e, hidden: true } : e));
}

function isBranchError(e: ErrorObject, composite: ErrorObject): boolean {
  return e.schemaPath.startsWith(`${composite.schemaPath}/`);
}

/** Errors right before `index` about `pointer` or below it: the branch errors of a composite. */
function precedingRun(errors: readonly ErrorObject[], index: number, pointer: string): ErrorObject[] {
  const run: ErrorObject[] = [];
  for (let i = index - 1; i >= 0; i--) {
    const e = errors[i]!;
    if (e.instancePath !== pointer && !e.instancePath.startsWith(`${pointer}/`)) break;
    run.unshift(e);
  }
  return run;
}

const LEAF_KEYWORDS = new Set(['type', 'pattern', 'format', 'minimum', 'maximum', 'minLength', 'enum', 'const']);

/**
 * One message for a failed oneOf/anyOf plus the branch errors it replaces. Without a message,
 * the errors of the branch matching the value's type stand on their own (only the other
 * branches' type errors are dropped).
 */
function explainComposite(error: ErrorObject, run: ErrorObject[], value: unknown): { message?: string; missing?: string[]; drop: ErrorObject[] } {
  const branches = Array.isArray(error.schema) ? (error.schema as Record<string, unknown>[]) : [];
  const requiredOnly = branches.every((b) => Array.isArray(b.required) && Object.keys(b).every((k) => k === 'required' || k === 'properties'));
  if (requiredOnly && branches.length > 0) {
    const missing = branches.flatMap((b) => b.required as string[]);
    return { message: explainAlternativeKeys(error, branches, value), missing, drop: run.filter((e) => isBranchError(e, error)) };
  }
  const own = run.filter((e) => isBranchError(e, error) || (e.instancePath === error.instancePath && LEAF_KEYWORDS.has(e.keyword)));
  const wrongType = own.filter((e) => e.keyword === 'type' && e.instancePath === error.instancePath && !typeMatches(e.params.type, value));
  const rest = own.filter((e) => !wrongType.includes(e));
  if (rest.length > 0 && !rest.every((e) => e.instancePath === error.instancePath && (isExpressionPattern(e) || e.keyword === 'format'))) {
    return { drop: wrongType };
  }
  if (rest.length > 0 && rest.every((e) => e.keyword === 'format')) {
    return { message: `must be a valid ${orList(rest.map((e) => formatName(String(e.params.format))))}, got ${describeValue(value)}`, drop: own };
  }
  const expected = [...new Set([...wrongType.map((e) => typeNames(e.params.type)), ...rest.map(() => 'a "{{ ... }}" expression')])];
  return { message: `expected ${orList(expected)}, got ${describeValue(value)}`, drop: own };
}

function explainAlternativeKeys(error: ErrorObject, branches: Record<string, unknown>[], value: unknown): string {
  const names = branches.map((b) => {
    const key = (b.required as string[]).join(' and ');
    const constant = (b.properties as Record<string, { const?: unknown }> | undefined)?.[key]?.const;
    return constant === undefined ? key : `${key}: ${JSON.stringify(constant)}`;
  });
  const passing = error.params.passingSchemas as number[] | null | undefined;
  if (error.keyword === 'oneOf' && Array.isArray(passing)) {
    return `give only one of ${orList(names)}; found ${passing.map((i) => names[i]).join(' and ')}`;
  }
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (kind === 'command') return `a command needs a guard so it does not run every time: add ${orList(names)}`;
  return `needs ${error.keyword === 'oneOf' ? 'exactly one' : 'one'} of ${orList(names)}`;
}

function explainOne(error: ErrorObject, path: PathSegment[], data: unknown): Explained | undefined {
  const value = valueAt(data, path);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'if':
      return undefined;
    case 'required':
      return { path, message: `missing required key "${String(p.missingProperty)}"`, missing: [String(p.missingProperty)] };
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const allowed = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      const suggests = closestMatch(key, allowed);
      const hint = suggests ? `; did you mean "${suggests}"?` : allowed.length > 0 && allowed.length <= 12 ? `; allowed keys: ${allowed.join(', ')}` : '';
      return { path: [...path, key], key: true, message: `unknown key "${key}"${hint}`, suggests };
    }
    case 'discriminator':
      return explainDiscriminator(p, path, data);
    case 'propertyNames': {
      const name = String(p.propertyName);
      return { path: [...path, name], key: true, message: `"${name}" is not a valid ${nameKind(error.schema)}` };
    }
    default:
      return { path, message: explainValue(error, value) };
  }
}

function explainDiscriminator(p: Record<string, unknown>, path: PathSegment[], data: unknown): Explained {
  if (p.error === 'mapping') {
    const kind = String(p.tagValue);
    const hint = didYouMean(kind, RESOURCE_KINDS) || `; kinds: ${RESOURCE_KINDS.join(', ')}`;
    return { path: [...path, 'kind'], message: `unknown resource kind "${kind}"${hint}` };
  }
  const value = valueAt(data, path) as Record<string, unknown> | undefined;
  if (value && typeof value === 'object' && !('kind' in value)) return { path, message: '' }; // reported as missing required key
  return { path: [...path, 'kind'], message: `kind must be a string naming a resource kind (${RESOURCE_KINDS.slice(0, 3).join(', ')}, ...), got ${describeValue(value?.kind)}` };
}

function explainValue(error: ErrorObject, value: unknown): string {
  const p = error.params as Record<string, unknown>;
  const def = defName(error.schemaPath);
  switch (error.keyword) {
    case 'type': {
      const hint = def === 'mode' && typeof value === 'number' ? '; quote it so YAML keeps the leading zero, e.g. "0644"' : '';
      return `expected ${typeNames(p.type)}, got ${describeValue(value)}${hint}`;
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(String);
      const hint = typeof value === 'string' ? didYouMean(value, allowed) : '';
      return `must be one of: ${allowed.join(', ')}; got ${describeValue(value)}${hint}`;
    }
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}, got ${describeValue(value)}`;
    case 'pattern':
      return explainPattern(def, String(p.pattern), value, error);
    case 'format':
      return `must be a valid ${formatName(String(p.format))}, got ${describeValue(value)}`;
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return `must be ${String(p.comparison)} ${String(p.limit)}, got ${describeValue(value)}`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters long`;
    case 'uniqueItems':
      return `lists the same value twice (items ${String(p.j)} and ${String(p.i)}); remove the duplicate`;
    default:
      return error.message ?? `invalid (${error.keyword})`;
  }
}

function explainPattern(def: string | undefined, pattern: string, value: unknown, error: ErrorObject): string {
  const got = describeValue(value);
  switch (def) {
    case 'absolutePath': return `must be an absolute path (starting with "/"), got ${got}`;
    case 'repoPath':
      return typeof value === 'string' && value.startsWith('/')
        ? `must be a path relative to the templates/ directory, not an absolute path; got ${got}`
        : `must not contain ".." segments (template and source paths stay inside templates/); got ${got}`;
    case 'mode': return `must be an octal mode string such as "0644" or "0755", got ${got}`;
    case 'notify': return `must name a service or command ("service:<name>" or "command:<name>"), got ${got}`;
    case 'resourceId': return `must be a resource id "kind:key" such as "package:nginx", got ${got}`;
    case 'name': return `must be a name made of letters, digits, ".", "_" and "-", got ${got}`;
    case 'identifier': return `must be a name made of letters, digits and "_", got ${got}`;
    default: {
      const description = (error.parentSchema as { description?: string } | undefined)?.description;
      return `${got} does not have the expected form${description ? ` (${description.replace(/\.$/, '')})` : ` (pattern ${pattern})`}`;
    }
  }
}

/** The last `$defs` name in a schema path: `#/$defs/mode/pattern` -> `mode`. */
function defName(schemaPath: string): string | undefined {
  const parts = schemaPath.split('/');
  const at = parts.lastIndexOf('$defs');
  return at >= 0 ? parts[at + 1] : undefined;
}

function nameKind(schema: unknown): string {
  const ref = (schema as { $ref?: string } | undefined)?.$ref ?? '';
  if (ref.endsWith('/identifier')) return 'param name: use letters, digits and "_" (it must work as a template variable)';
  if (ref.endsWith('/name')) return 'name: use letters, digits, ".", "_" and "-"';
  return 'key here';
}

function isExpressionPattern(e: ErrorObject): boolean {
  return e.keyword === 'pattern' && String(e.params.pattern) === '\\{\\{';
}

function typeNames(type: unknown): string {
  return orList((Array.isArray(type) ? type : String(type).split(',')).map((t) => describeType(String(t))));
}

function typeMatches(type: unknown, value: unknown): boolean {
  const types = Array.isArray(type) ? type.map(String) : String(type).split(',');
  return types.some((t) => jsonType(value, t));
}

function jsonType(value: unknown, type: string): boolean {
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'array') return Array.isArray(value);
  if (type === 'null') return value === null;
  if (type === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value);
  return typeof value === type;
}

function formatName(format: string): string {
  const names: Record<string, string> = { hostname: 'host name', ipv4: 'IPv4 address', ipv6: 'IPv6 address', uri: 'URL', email: 'e-mail address' };
  return names[format] ?? format;
}

/** Converts a JSON pointer into path segments (list indexes as numbers). */
export function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const key: PathSegment = Array.isArray(node) ? Number(segment) : segment;
    out.push(key);
    node = node === null || typeof node !== 'object' ? undefined : (node as Record<string, unknown>)[key as string];
  }
  return out;
}

/** The value at `path` in `data`, or undefined. */
export function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment as string];
  }
  return node;
}

function dedupe(items: Explained[]): Explained[] {
  const seen = new Set<string>();
  return items.filter((e) => {
    const key = `${JSON.stringify(e.path)}\0${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
