import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorSpec } from '../../../manifests/error-codes.js';
import { renderErrorReference } from '../../../manifests/error-reference.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.parentPath.includes('generated')).map((e) => join(e.parentPath, e.name));
}

describe('the error registry', () => {
  it('docs/errors.md is what renderErrorReference() produces (run npm run gen)', async () => {
    expect(await readFile(join(ROOT, 'docs/errors.md'), 'utf8')).toBe(renderErrorReference());
  });

  it('every code is raised somewhere outside the registry (no code declared and never used)', async () => {
    const files = [...await sources('controller'), ...await sources('manifests'), ...await sources('schema')]
      .filter((f) => !f.endsWith('error-codes.ts') && !f.endsWith('error-reference.ts'));
    const text = (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('\n');
    const unused = Object.keys(ERROR_CODES).filter((code) => !text.includes(`'${code}'`));
    expect(unused).toEqual([]);
  });

  it('reads an unknown code (an old state file) as an internal error', () => {
    expect(errorSpec('E_NOT_A_CODE')).toBe(ERROR_CODES.E_INTERNAL);
    expect(errorSpec('E_CONNECT_REFUSED')).toMatchObject({ kind: 'transient', unreachable: true });
    expect(errorSpec('E_SSH_PROTOCOL').kind).toBe('stalled');
  });
});
