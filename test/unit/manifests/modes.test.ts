import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMode, normaliseMode } from '../../../manifests/modes.js';

const schema = JSON.parse(readFileSync(join(import.meta.dirname, '../../../schema/resource.schema.json'), 'utf8')) as {
  $defs: { mode: { pattern: string } };
};
const schemaPattern = new RegExp(schema.$defs.mode.pattern, 'u');

const CASES: [string, string | undefined][] = [
  ['644', '0644'], ['0644', '0644'], ['0600', '0600'], ['2775', '2775'], ['1777', '1777'], ['7777', '7777'], ['000', '0000'],
  ['01777', undefined], ['00644', undefined], ['64', undefined], ['0', undefined], ['0648', undefined], ['', undefined], [' 644', undefined], ['u+x', undefined],
];

describe('file modes: one definition', () => {
  it.each(CASES)('%j -> %j', (text, canonical) => {
    expect(isMode(text)).toBe(canonical !== undefined);
    if (canonical !== undefined) expect(normaliseMode(text)).toBe(canonical);
  });

  it('the schema accepts exactly the modes drover writes and compares (templated values aside)', () => {
    for (const [text, canonical] of CASES) expect(schemaPattern.test(text), text).toBe(canonical !== undefined);
  });

  it('stat output (no leading zeros) normalises to the same 4 digits', () => {
    expect(['0', '7', '644', '1777'].map(normaliseMode)).toEqual(['0000', '0007', '0644', '1777']);
    expect(() => normaliseMode('01777')).toThrow(RangeError);
  });
});
