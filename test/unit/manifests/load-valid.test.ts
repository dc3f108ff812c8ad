import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRepository } from '../../../manifests/index.js';
import { caseNames, expectedText, fixturesDir, project } from './fixtures.js';

const base = fixturesDir('manifests');

describe('loadRepository builds one DesiredState per host (test/fixtures/manifests/<case>)', () => {
  for (const name of caseNames(base)) {
    it(name, async () => {
      const loaded = await loadRepository(join(base, name, 'repo'));
      const actual = `${JSON.stringify(project(loaded), null, 2)}\n`;
      expect(JSON.parse(actual)).toEqual(JSON.parse(expectedText(join(base, name, 'expected.json'), actual)));
    });
  }
});
