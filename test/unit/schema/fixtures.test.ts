import { readFile, readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createValidator, schemaIds, type SchemaName } from '../../../schema/index.js';

/**
 * Data-driven: test/fixtures/schema/{valid,invalid}/<schema>.<case>.yaml is validated against
 * schema/<schema>.schema.json. Each invalid case has <schema>.<case>.errors.yaml listing every
 * Ajv error expected: `{ path: <instancePath>, keyword: <keyword>, params?: {subset} }`.
 */
const fixtures = new URL('../../../test/fixtures/schema/', import.meta.url);

interface ExpectedError {
  path: string;
  keyword: string;
  params?: Record<string, unknown>;
}

async function cases(kind: 'valid' | 'invalid'): Promise<string[]> {
  const files = await readdir(new URL(`${kind}/`, fixtures));
  return files.filter((f) => f.endsWith('.yaml') && !f.endsWith('.errors.yaml')).sort();
}

async function validate(kind: 'valid' | 'invalid', file: string) {
  const schema = file.split('.')[0] as SchemaName;
  expect(Object.keys(schemaIds), `fixture ${file} must start with a schema name`).toContain(schema);
  const data: unknown = parse(await readFile(new URL(`${kind}/${file}`, fixtures), 'utf8'));
  const validator = createValidator().getSchema(schemaIds[schema])!;
  validator(data);
  return validator.errors ?? [];
}

const valid = await cases('valid');
const invalid = await cases('invalid');

describe('schema fixtures', () => {
  it('has fixtures for every file schema', () => {
    const covered = new Set([...valid, ...invalid].map((f) => f.split('.')[0]));
    expect([...covered].sort()).toEqual(['config', 'drover', 'group', 'host', 'resource', 'role']);
    expect(invalid.length).toBeGreaterThan(40);
  });

  it.each(valid)('valid/%s has no errors', async (file) => {
    const errors = await validate('valid', file);
    expect(errors.map((e) => `${e.instancePath} ${e.keyword}: ${e.message}`)).toEqual([]);
  });

  it.each(invalid)('invalid/%s reports exactly the expected errors', async (file) => {
    const errors = await validate('invalid', file);
    const expected = parse(await readFile(new URL(`invalid/${file.replace(/\.yaml$/, '.errors.yaml')}`, fixtures), 'utf8')) as ExpectedError[];
    expect(expected.length, 'an invalid fixture must expect at least one error').toBeGreaterThan(0);
    const actual = errors.map((e, i) => ({
      path: e.instancePath,
      keyword: e.keyword,
      ...(expected[i]?.params ? { params: Object.fromEntries(Object.keys(expected[i].params).map((k) => [k, (e.params as Record<string, unknown>)[k]])) } : {}),
    }));
    expect(actual).toEqual(expected);
  });
});
