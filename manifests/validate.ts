/**
 * Schema validation of the repository files (schema/*.schema.json through Ajv) and of
 * resources after templating. Problems are located at YAML nodes; invalid parts are removed
 * from the data so later checks do not trip over them (see raw.ts).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { COMPILED_VALIDATORS } from '../schema/compiled-validators.js';
import { explainErrors, pointerToPath, valueAt, type Explained } from './explain.js';
import type { ProblemList } from './problems.js';
import type { PathSegment, SourceFile } from './read.js';
import { isTemplated } from './templates.js';

/** Compiled validators for each file format and for one resource. */
export interface ManifestValidator {
  drover: ValidateFunction;
  host: ValidateFunction;
  group: ValidateFunction;
  role: ValidateFunction;
  resource: ValidateFunction;
}

const compiled = join(import.meta.dirname, '../schema', COMPILED_VALIDATORS);

// Ajv (~100 modules) is loaded only to compile the schemas, i.e. when there are no precompiled validators.
const compiler = existsSync(compiled) ? undefined : await Promise.all([import('../schema/standalone.js'), import('../schema/index.js')]);

/**
 * The validators, compiled once; reuse the result across loads (e.g. in the controller). The built
 * CLI loads them precompiled by `npm run build` (schema/standalone.ts); from source they are compiled.
 */
export function createManifestValidator(): ManifestValidator {
  if (!compiler) return createRequire(import.meta.url)(compiled) as ManifestValidator;
  const [{ manifestAjv }, { schemaIds }] = compiler;
  const ajv = manifestAjv();
  const get = (id: string): ValidateFunction => {
    const validate = ajv.getSchema(id);
    if (!validate) throw new Error(`schema ${id} is not registered`);
    return validate;
  };
  return {
    drover: get(schemaIds.drover), host: get(schemaIds.host), group: get(schemaIds.group),
    role: get(schemaIds.role), resource: get(schemaIds.resource),
  };
}

/**
 * Validates a parsed file against its schema, reports every mistake, and removes invalid
 * parts from `source.value` (an unknown key is deleted; a list item holding an invalid value becomes null;
 * another invalid value is deleted). Values that are `{{ }}` strings are checked after rendering.
 */
export function validateFile(options: { source: SourceFile; validate: ValidateFunction; problems: ProblemList }): void {
  const { source, validate, problems } = options;
  const value = source.value;
  if (value === undefined || validate(value)) return;
  const errors = (validate.errors ?? []).filter((e) => !isDeferred(e, value));
  const explained = explainErrors(errors, value);
  for (const item of explained) if (!item.hidden) problems.at(source, item.path, item.message, { key: item.key ?? false });
  for (const item of explained) sanitize(value, item);
}

/** Errors about a `{{ }}` string are left to the check after rendering. */
function isDeferred(error: ErrorObject, data: unknown): boolean {
  if (!['type', 'enum', 'const', 'format', 'pattern', 'minLength', 'anyOf', 'oneOf'].includes(error.keyword)) return false;
  const path = error.instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const value = error.instancePath === '' ? data : valueAt(data, path);
  return typeof value === 'string' && isTemplated(value);
}

/**
 * Validates one resource after templating. Problems are located at the declaration's nodes
 * (`path` is the resource's path in `source`). Returns false when the resource is invalid.
 */
export function validateRendered(options: {
  resource: Record<string, unknown>; declared: Record<string, unknown>; source: SourceFile; path: PathSegment[];
  validate: ValidateFunction; problems: ProblemList; host: string | undefined;
}): boolean {
  const { resource, declared, source, path, validate, problems, host } = options;
  if (validate(resource)) return true;
  if (coerceToStrings(resource, declared, validate.errors ?? []) && validate(resource)) return true;
  for (const item of explainErrors(validate.errors ?? [], resource)) {
    if (item.hidden) continue;
    const original = valueAt(declared, item.path);
    const from = typeof original === 'string' && isTemplated(original) ? ` (rendered from ${JSON.stringify(original)})` : '';
    problems.at(source, [...path, ...item.path], `${item.message}${from}`, { key: item.key ?? false, host });
  }
  return false;
}

/**
 * A string that is one `{{ expr }}` renders to the expression's own type (8080, true); where
 * the schema wants a string there, the value becomes its text. True when anything changed.
 */
function coerceToStrings(resource: Record<string, unknown>, declared: Record<string, unknown>, errors: readonly ErrorObject[]): boolean {
  let changed = false;
  for (const error of errors) {
    if (error.keyword !== 'type' || !String(error.params.type).split(',').includes('string')) continue;
    const path = pointerToPath(error.instancePath, resource);
    const original = valueAt(declared, path);
    if (typeof original !== 'string' || !isTemplated(original)) continue;
    const parent = valueAt(resource, path.slice(0, -1)) as Record<string, unknown> | undefined;
    const leaf = path[path.length - 1];
    const value = parent && leaf !== undefined ? parent[leaf as string] : undefined;
    if (typeof value === 'number' || typeof value === 'boolean') {
      parent![leaf as string] = String(value);
      changed = true;
    }
  }
  return changed;
}

function sanitize(root: Record<string, unknown>, item: Explained): void {
  const path = item.path;
  if (path.length === 0) return;
  const firstIndex = item.key ? -1 : path.findIndex((segment) => typeof segment === 'number');
  const target = firstIndex >= 0 ? path.slice(0, firstIndex + 1) : path;
  const parent = valueAt(root, target.slice(0, -1));
  const leaf = target[target.length - 1]!;
  if (Array.isArray(parent) && typeof leaf === 'number') parent[leaf] = null;
  else if (parent !== null && typeof parent === 'object') delete (parent as Record<string, unknown>)[leaf as string];
}
