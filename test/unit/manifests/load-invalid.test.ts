import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadRepository } from '../../../manifests/index.js';
import { caseNames, expectedText, fixturesDir } from './fixtures.js';

const base = fixturesDir('invalid-repos');

describe('loadRepository reports every mistake (test/fixtures/invalid-repos/<case>/expected-errors.txt)', () => {
  for (const name of caseNames(base)) {
    it(name, async () => {
      const { problems } = await loadRepository(join(base, name));
      const actual = problems.map((p) => `${formatProblem(p)}\n`).join('');
      expect(problems.length).toBeGreaterThan(0);
      expect(actual).toBe(expectedText(join(base, name, 'expected-errors.txt'), actual));
    });
  }
});
