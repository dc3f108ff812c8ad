import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadRepository, type ManifestValidator } from '../../../manifests/index.js';
import { compiledValidatorsSource } from '../../../schema/standalone.js';
import { caseNames, expectedText, fixturesDir } from './fixtures.js';

const base = fixturesDir('invalid-repos');

// The built CLI validates with the precompiled standalone code (schema/standalone.ts); it must
// report exactly what the validators compiled at run time report.
const compiled = { exports: {} };
// Evaluated as Node would load dist/schema/validators.cjs.
new Function('require', 'module', 'exports', compiledValidatorsSource())(createRequire(import.meta.url), compiled, compiled.exports);
const precompiled = compiled.exports as ManifestValidator;

for (const [label, validator] of [['compiled at run time', undefined], ['precompiled (the built CLI)', precompiled]] as const) {
  describe(`loadRepository reports every mistake, validators ${label} (test/fixtures/invalid-repos/<case>/expected-errors.txt)`, () => {
    for (const name of caseNames(base)) {
      it(name, async () => {
        const { problems } = await loadRepository(join(base, name), validator ? { validator } : {});
        const actual = problems.map((p) => `${formatProblem(p)}\n`).join('');
        expect(problems.length).toBeGreaterThan(0);
        expect(actual).toBe(expectedText(join(base, name, 'expected-errors.txt'), actual));
      });
    }
  });
}
