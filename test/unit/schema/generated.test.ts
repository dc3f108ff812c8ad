import { readFile, readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generateTypes } from '../../../schema/generate.js';
import { renderConfigReference, renderReference } from '../../../schema/reference.js';

const generatedDir = new URL('../../../schema/generated/', import.meta.url);
const referenceFile = new URL('../../../docs/manifest-reference.md', import.meta.url);
const configReferenceFile = new URL('../../../docs/controller-config.md', import.meta.url);
const STALE = 'is stale: run `npm run gen` and commit the result';

describe('generated files', () => {
  it('schema/generated/ holds exactly what generateTypes() produces', async () => {
    const expected = await generateTypes();
    const onDisk = (await readdir(generatedDir)).sort();
    expect(onDisk, `schema/generated/ file list ${STALE}`).toEqual([...expected.keys()].sort());
    for (const [name, contents] of expected) {
      expect(await readFile(new URL(name, generatedDir), 'utf8'), `schema/generated/${name} ${STALE}`).toBe(contents);
    }
  });

  it('docs/manifest-reference.md is what renderReference() produces', async () => {
    expect(await readFile(referenceFile, 'utf8'), `docs/manifest-reference.md ${STALE}`).toBe(renderReference());
  });

  it('docs/controller-config.md is what renderConfigReference() produces, with every key of the config schema', async () => {
    const text = await readFile(configReferenceFile, 'utf8');
    expect(text, `docs/controller-config.md ${STALE}`).toBe(renderConfigReference());
    const schema = JSON.parse(await readFile(new URL('../../../schema/config.schema.json', import.meta.url), 'utf8')) as { properties: Record<string, unknown> };
    for (const key of Object.keys(schema.properties)) expect(text, key).toContain(`| \`${key}\``);
  });

  it('exports the agreed type names, each declared once', async () => {
    const files = await generateTypes();
    const declared = [...files.values()].flatMap((text) => [...text.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]));
    const names = [
      'DroverFile', 'HostFile', 'GroupFile', 'RoleFile', 'ControllerConfig', 'Resource',
      'PackageResource', 'FileResource', 'DirectoryResource', 'SymlinkResource', 'LineResource', 'UserResource',
      'GroupResource', 'ServiceResource', 'CommandResource', 'GitResource', 'SecretResource', 'SshKeyResource',
      'CronResource', 'SysctlResource',
    ];
    for (const name of names) expect(declared.filter((d) => d === name), name).toHaveLength(1);
    expect(new Set(declared).size, 'a type name is declared in two generated files').toBe(declared.length);
    expect(declared.filter((d) => /\d$/.test(d ?? '')), 'json-schema-to-typescript had to number a clashing name').toEqual([]);
  });
});
