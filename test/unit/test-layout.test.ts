/**
 * The layout of test/: helpers flow one way. Unit tests stand alone: they may import shared helpers from
 * test/support/, never from the integration or e2e tests (whose helpers start hosts and processes).
 * test/support/ imports from neither; integration tests import nothing from e2e.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths.js';

/** `file: specifier` for every import of the .ts files below test/<dir>. */
function importsOf(dir: string): string[] {
  const root = join(ROOT, 'test', dir);
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  expect(files.length, `.ts files in test/${dir}`).toBeGreaterThan(5);
  return files.flatMap((f) => [...readFileSync(join(root, f), 'utf8').matchAll(/^import [^;]* from '([^']+)';/gm)]
    .map((m) => `${relative(ROOT, join(root, f))}: ${m[1]}`));
}

describe('test/ imports', () => {
  it('test/unit imports nothing from test/integration or test/e2e', () => {
    const imports = importsOf('unit');
    expect(imports.some((i) => i.endsWith('support/paths.js')), 'this test sees its own import').toBe(true);
    expect(imports.filter((i) => /\/(integration|e2e)\//.test(i))).toEqual([]);
  });

  it('test/support imports nothing from test/integration or test/e2e', () => {
    expect(importsOf('support').filter((i) => /\/(integration|e2e)\//.test(i))).toEqual([]);
  });

  it('test/integration imports nothing from test/e2e', () => {
    expect(importsOf('integration').filter((i) => /\/e2e\//.test(i))).toEqual([]);
  });
});
