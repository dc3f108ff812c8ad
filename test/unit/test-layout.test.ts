/**
 * The layout of test/: unit tests stand alone. They may import shared helpers from test/support/, never
 * from the integration or e2e tests (whose helpers start hosts and processes).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths.js';

const UNIT = join(ROOT, 'test/unit');

describe('test/unit', () => {
  it('imports nothing from test/integration or test/e2e', () => {
    const files = readdirSync(UNIT, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(50);
    const imports = files.flatMap((f) => [...readFileSync(join(UNIT, f), 'utf8').matchAll(/^import [^;]* from '([^']+)';/gm)]
      .map((m) => `${relative(ROOT, join(UNIT, f))}: ${m[1]}`));
    expect(imports.some((i) => i.endsWith('support/paths.js')), 'this test sees its own import').toBe(true);
    expect(imports.filter((i) => /\/(integration|e2e)\//.test(i))).toEqual([]);
  });
});
