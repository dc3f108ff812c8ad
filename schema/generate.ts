/**
 * Generates the TypeScript types of schema/generated/ from the JSON Schemas with
 * json-schema-to-typescript. Pure apart from the formatter: same schemas in, same text out,
 * so a test can compare the result with the files on disk.
 */
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { schemas, type JsonSchema, type SchemaName } from './index.js';

/** Schemas that get a generated .ts file, in output order; `defs` is only ever inlined. */
export const GENERATED_SCHEMAS = ['drover', 'host', 'group', 'role', 'resource', 'config'] as const satisfies readonly SchemaName[];

type Node = { [key: string]: unknown };

/** Root type names, by schema; a `$ref` to a whole generated schema becomes an import of this name. */
const ROOT_TYPE_NAMES: Record<(typeof GENERATED_SCHEMAS)[number], string> = {
  drover: 'DroverFile',
  host: 'HostFile',
  group: 'GroupFile',
  role: 'RoleFile',
  resource: 'Resource',
  config: 'ControllerConfig',
};

/** Keywords that give a schema a shape; a property schema with none of them accepts any value. */
const SHAPE_KEYWORDS = ['type', '$ref', 'enum', 'const', 'anyOf', 'oneOf', 'allOf', 'properties', 'items', 'additionalProperties', 'tsType'];

/** Keywords whose value is a map of name -> subschema. */
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', '$defs', 'definitions']);
/** Keywords whose value is a subschema or a list of subschemas; all other keywords hold plain data. */
const SCHEMA_KEYWORDS = new Set(['items', 'additionalProperties', 'propertyNames', 'not', 'if', 'then', 'else', 'contains', 'anyOf', 'oneOf', 'allOf']);

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

/** "SSH key resource" -> "SshKeyResource": type names from titles, stable and readable. */
export function typeNameFromTitle(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1).toLowerCase())
    .join('');
}

/** Finds the schema a `$ref` points at: `file.schema.json` and/or `#/$defs/name`, relative to `doc`. */
function resolveRef(ref: string, doc: JsonSchema): { target: Node; doc: JsonSchema; file: SchemaName | undefined } {
  const [file, pointer = ''] = ref.split('#');
  const name = file ? (Object.keys(schemas) as SchemaName[]).find((key) => `${key}.schema.json` === file) : undefined;
  if (file && !name) throw new Error(`unknown schema file in $ref ${ref}`);
  const base: JsonSchema = name ? schemas[name] : doc;
  let target: unknown = base;
  for (const segment of pointer.split('/').filter(Boolean)) target = isNode(target) ? target[segment] : undefined;
  if (!isNode(target)) throw new Error(`unresolvable $ref ${ref}`);
  return { target, doc: base, file: name };
}

interface PrepareState {
  root: JsonSchema;
  imports: Map<string, string>;
}

/**
 * Rewrites one schema node for the type generator: a `$ref` to a whole generated schema
 * becomes `tsType` + import; a `$ref` to an untitled definition (local or in defs.schema.json)
 * is inlined, so only titled schemas become named types; `allOf` beside `properties` holds
 * cross-field validation rules only and is dropped (it would turn interfaces into intersections);
 * a schema without any shape keyword (e.g. a param's `default`) is typed `unknown`.
 */
function prepareNode(node: unknown, doc: JsonSchema, state: PrepareState): unknown {
  if (Array.isArray(node)) return node.map((item) => prepareNode(item, doc, state));
  if (!isNode(node)) return node;
  if (typeof node.$ref === 'string') return prepareRef(node as Node & { $ref: string }, doc, state);
  const out: Node = SHAPE_KEYWORDS.some((key) => key in node) ? {} : { tsType: 'unknown' };
  for (const [key, value] of Object.entries(node)) {
    if (key === 'allOf' && 'properties' in node) continue;
    if (key === '$defs' && doc === state.root) continue;
    if (SCHEMA_MAP_KEYWORDS.has(key) && isNode(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, prepareNode(sub, doc, state)]));
    } else {
      out[key] = SCHEMA_KEYWORDS.has(key) ? prepareNode(value, doc, state) : value;
    }
  }
  return out;
}

function prepareRef(node: Node & { $ref: string }, doc: JsonSchema, state: PrepareState): unknown {
  const { $ref, ...siblings } = node;
  const { target, doc: targetDoc, file } = resolveRef($ref, doc);
  if (file && target === schemas[file] && file !== 'defs') {
    const typeName = ROOT_TYPE_NAMES[file as keyof typeof ROOT_TYPE_NAMES];
    state.imports.set(typeName, `./${file}.js`);
    return { ...siblings, tsType: typeName };
  }
  if (typeof target.title === 'string') {
    if (targetDoc !== state.root) throw new Error(`titled definition ${$ref} must be local to be named once`);
    return { $ref };
  }
  return prepareNode({ ...target, ...siblings }, targetDoc, state);
}

/** The titled local definitions of a schema, prepared; these become named types. */
function prepareDefinitions(state: PrepareState): Node | undefined {
  const defs = state.root.$defs;
  if (!isNode(defs)) return undefined;
  const titled = Object.entries(defs).filter(([, def]) => isNode(def) && typeof def.title === 'string');
  if (titled.length === 0) return undefined;
  return Object.fromEntries(titled.map(([key, def]) => [key, prepareNode(def, state.root, state)]));
}

const banner = (name: string): string =>
  `/* eslint-disable */\n/**\n * Generated by \`npm run gen\` from schema/${name}.schema.json with json-schema-to-typescript.\n * Do not edit by hand: change the schema and run \`npm run gen\`.\n */`;

async function generateOne(name: (typeof GENERATED_SCHEMAS)[number]): Promise<string> {
  const state: PrepareState = { root: schemas[name], imports: new Map() };
  const prepared = prepareNode(state.root, state.root, state) as Node;
  const defs = prepareDefinitions(state);
  if (defs) prepared.$defs = defs;
  const body = await compile(prepared as JSONSchema, ROOT_TYPE_NAMES[name], {
    bannerComment: '',
    additionalProperties: false,
    declareExternallyReferenced: true,
    strictIndexSignatures: false,
    unknownAny: true,
    unreachableDefinitions: false,
    format: true,
    style: { printWidth: 120, singleQuote: true, trailingComma: 'all', bracketSpacing: true, semi: true, tabWidth: 2, useTabs: false },
    customName: (schema) => (typeof schema.title === 'string' ? typeNameFromTitle(schema.title) : undefined),
    $refOptions: { resolve: { external: false } },
  });
  const imports = [...state.imports].map(([type, from]) => `import type { ${type} } from '${from}';\n`).join('');
  return `${banner(name)}\n\n${imports}${imports ? '\n' : ''}${body.trim()}\n`;
}

/**
 * Generates the contents of schema/generated/: one `<name>.ts` per file schema plus
 * `index.ts` re-exporting all of them. Returns file name -> contents, in a stable order.
 * Throws if a schema has a `$ref` it cannot resolve.
 */
export async function generateTypes(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of GENERATED_SCHEMAS) files.set(`${name}.ts`, await generateOne(name));
  const reexports = GENERATED_SCHEMAS.map((name) => `export * from './${name}.js';\n`).join('');
  files.set('index.ts', `/* Generated by \`npm run gen\`; do not edit by hand. */\n\n${reexports}`);
  return files;
}
