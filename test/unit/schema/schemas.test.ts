import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import type { ResourceKind } from '../../../manifests/types.js';
import type { Resource } from '../../../schema/generated/index.js';
import { createValidator, resolveSchemaRef, schemaIds, schemas, type JsonSchema, type SchemaName } from '../../../schema/index.js';

type Node = { [key: string]: unknown };
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);
const names = Object.keys(schemas) as SchemaName[];

const MAP_KEYWORDS = ['properties', 'patternProperties', '$defs'];
const SUB_KEYWORDS = ['items', 'additionalProperties', 'propertyNames', 'not', 'if', 'then', 'else', 'anyOf', 'oneOf', 'allOf'];

/** Calls visit for every subschema of `node` (depth first), with a JSON pointer to it. */
function walk(node: unknown, pointer: string, visit: (node: Node, pointer: string) => void): void {
  if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${pointer}/${i}`, visit));
  if (!isNode(node)) return;
  visit(node, pointer);
  for (const key of MAP_KEYWORDS) {
    if (isNode(node[key])) for (const [name, sub] of Object.entries(node[key])) walk(sub, `${pointer}/${key}/${name}`, visit);
  }
  for (const key of SUB_KEYWORDS) if (key in node) walk(node[key], `${pointer}/${key}`, visit);
}

function descriptionOf(node: Node, doc: JsonSchema): unknown {
  if (node.description !== undefined || typeof node.$ref !== 'string') return node.description;
  const target = resolveSchemaRef(node.$ref, doc);
  return descriptionOf(target.node, target.doc);
}

/** Names in `required` of this object schema and of its conditional subschemas (not of nested objects). */
function requiredNames(node: Node): string[] {
  const own = Array.isArray(node.required) ? (node.required as string[]) : [];
  const nested = ['allOf', 'anyOf', 'oneOf', 'if', 'then', 'else', 'not'].flatMap((key) => {
    const value = node[key];
    const subs = Array.isArray(value) ? value : [value];
    return subs.filter(isNode).filter((sub) => !('properties' in sub && sub.type === 'object')).flatMap(requiredNames);
  });
  return [...own, ...nested];
}

// Compile-time: the generated Resource union has exactly the kinds of manifests/types.ts (tsc fails otherwise).
const _kindsMatch: [Resource['kind']] extends [ResourceKind] ? ([ResourceKind] extends [Resource['kind']] ? true : false) : false = true;

describe('schemas', () => {
  it.each(names)('%s compiles in Ajv strict mode', (name) => {
    const validate = createValidator().getSchema(schemaIds[name]);
    expect(validate?.schema).toBe(schemas[name]);
  });

  it.each(names)('%s has an $id matching its file name and a description on every property', (name) => {
    const schema = schemas[name];
    expect(schema.$id).toBe(`https://drover.dev/schema/${name}.schema.json`);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const missing: string[] = [];
    walk(schema, '#', (node, pointer) => {
      // Objects a user writes are `type: object`; untyped `properties` only occur in conditional rules.
      const properties = node.type === 'object' && isNode(node.properties) ? node.properties : {};
      for (const [key, sub] of Object.entries(properties)) {
        const text = isNode(sub) ? descriptionOf(sub, schema) : undefined;
        if (typeof text !== 'string' || text.length < 10) missing.push(`${pointer}/properties/${key}`);
      }
      if (pointer.split('/').at(-2) === '$defs' && typeof node.description !== 'string') missing.push(pointer);
    });
    expect(missing).toEqual([]);
  });

  it.each(names)('%s: every required name (also in conditional rules) is a declared property', (name) => {
    const undeclared: string[] = [];
    walk(schemas[name], '#', (node, pointer) => {
      if (!isNode(node.properties)) return;
      for (const req of requiredNames(node)) if (!(req in node.properties)) undeclared.push(`${pointer}: ${req}`);
    });
    expect(undeclared).toEqual([]);
  });

  it.each(names)('%s.schema.json has no duplicate keys (JSON.parse would silently keep the last)', async (name) => {
    const text = await readFile(new URL(`../../../schema/${name}.schema.json`, import.meta.url), 'utf8');
    const doc = parseDocument(text, { uniqueKeys: true });
    expect(doc.errors.map((e) => e.message)).toEqual([]);
  });

  it('objects that a user writes reject unknown keys', () => {
    const open: string[] = [];
    for (const name of names) {
      walk(schemas[name], `${name}#`, (node, pointer) => {
        if (node.type === 'object' && isNode(node.properties) && node.additionalProperties !== false) open.push(pointer);
      });
    }
    expect(open).toEqual([]);
  });

  it('resource kinds are exactly manifests/types.ts ResourceKind, each with the common fields', () => {
    const kinds: Record<ResourceKind, true> = {
      package: true, file: true, directory: true, symlink: true, line: true, user: true, group: true,
      service: true, command: true, git: true, secret: true, ssh_key: true, cron: true, sysctl: true,
    };
    const defs = schemas.resource.$defs as Record<string, Node>;
    const branches = (schemas.resource.oneOf as Node[]).map((b) => defs[String(b.$ref).replace('#/$defs/', '')]!);
    const declared = branches.map((b) => (b.properties as Record<string, Node>).kind!.const);
    expect(declared.sort()).toEqual(Object.keys(kinds).sort());
    for (const branch of branches) {
      expect(Object.keys(branch.properties as Node)).toEqual(expect.arrayContaining(['kind', 'dependsOn', 'notify', 'when', 'step', 'description']));
      expect(branch.required).toContain('kind');
    }
  });
});
