/**
 * The JSON Schemas of drover's file formats, for runtime use (validation) and tooling
 * (type generation, reference docs). The *.schema.json files next to this module are the
 * single source of truth; types in ./generated/ are derived from them by `npm run gen`.
 */
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { DroverError } from '../manifests/errors.js';
import droverSchema from './drover.schema.json' with { type: 'json' };
import hostSchema from './host.schema.json' with { type: 'json' };
import groupSchema from './group.schema.json' with { type: 'json' };
import roleSchema from './role.schema.json' with { type: 'json' };
import resourceSchema from './resource.schema.json' with { type: 'json' };
import configSchema from './config.schema.json' with { type: 'json' };
import defsSchema from './defs.schema.json' with { type: 'json' };

/** A parsed JSON Schema document (plain JSON data). */
export type JsonSchema = { readonly [key: string]: unknown };

/**
 * Every schema by short name. `defs` holds definitions shared by the others (referenced
 * by `$ref`, not a file format of its own); the rest describe one file each:
 * drover.yaml, hosts/*.yaml, groups/*.yaml, roles/*.yaml, one resource, and the controller config.
 */
export const schemas = {
  drover: droverSchema as JsonSchema,
  host: hostSchema as JsonSchema,
  group: groupSchema as JsonSchema,
  role: roleSchema as JsonSchema,
  resource: resourceSchema as JsonSchema,
  config: configSchema as JsonSchema,
  defs: defsSchema as JsonSchema,
} as const;

/** Short name of a schema: a key of `schemas`. */
export type SchemaName = keyof typeof schemas;

/** The `$id` of every schema by short name; pass one to `ajv.getSchema(id)`. */
export const schemaIds: Readonly<Record<SchemaName, string>> = {
  drover: droverSchema.$id,
  host: hostSchema.$id,
  group: groupSchema.$id,
  role: roleSchema.$id,
  resource: resourceSchema.$id,
  config: configSchema.$id,
  defs: defsSchema.$id,
};

// ajv-formats is CommonJS; `module.exports` is the plugin and also carries it as `.default`,
// so `.default` is the plugin under Node ESM, tsx and vitest alike.
const addFormats = addFormatsModule.default;

/**
 * Returns a new Ajv 8 instance holding every schema (added by `$id`, compiled lazily on
 * `getSchema`). Options: allErrors (report every problem at once), discriminator (a resource
 * with a known `kind` is checked against that kind only; an unknown kind yields one
 * `discriminator` error), strict mode, ajv-formats. `strictRequired` is off because the
 * conditional rules (`if`/`then`, `anyOf` of `required`) name properties declared by the
 * enclosing object; the schema tests check those names separately.
 * Never throws for the bundled schemas (the tests compile each one).
 */
export function createValidator(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    discriminator: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
  });
  addFormats(ajv);
  for (const schema of Object.values(schemas)) {
    ajv.addSchema(schema as object);
  }
  return ajv;
}

/** A schema found by `resolveSchemaRef`, with the document it lives in (for resolving its own `$ref`s). */
export interface ResolvedSchema {
  node: JsonSchema;
  doc: JsonSchema;
  /** Set when the ref named a schema file; `node === schemas[file]` when it named the whole file. */
  file: SchemaName | undefined;
}

/**
 * Resolves a `$ref` as written in these schemas (`host.schema.json`, `#/$defs/mode`,
 * `defs.schema.json#/$defs/name`) against the document it appears in.
 * Throws DroverError `E_SCHEMA_REF` (internal) when it points nowhere.
 */
export function resolveSchemaRef(ref: string, doc: JsonSchema): ResolvedSchema {
  const [file, pointer = ''] = ref.split('#');
  const name = file ? (Object.keys(schemas) as SchemaName[]).find((key) => `${key}.schema.json` === file) : undefined;
  if (file && !name) throw new DroverError('E_SCHEMA_REF', `unknown schema file in $ref ${ref}`);
  const base: JsonSchema = name ? schemas[name] : doc;
  let node: unknown = base;
  for (const segment of pointer.split('/').filter(Boolean)) {
    node = typeof node === 'object' && node !== null ? (node as JsonSchema)[segment] : undefined;
  }
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    throw new DroverError('E_SCHEMA_REF', `unresolvable $ref ${ref}`);
  }
  return { node: node as JsonSchema, doc: base, file: name };
}
