/**
 * The bench trusts a run only after reading what each tool says it did (Ansible's PLAY RECAP,
 * drover's summary table). These parsers read real outputs (test/fixtures/bench/*.txt, made by
 * test/fixtures/bench/generate.ts on a 2-host fleet) into test/fixtures/bench/expected.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRecap } from '../../bench/ansible.js';
import { parseSummary } from '../../bench/drover-cli.js';

const dir = join(import.meta.dirname, '../../fixtures/bench');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, Record<string, unknown>>;
const parse = (name: string): Map<string, unknown> => {
  const text = readFileSync(join(dir, name), 'utf8');
  return name.startsWith('ansible-') ? parseRecap(text) : parseSummary(text);
};

describe('bench output parsers', () => {
  for (const name of Object.keys(expected)) {
    it(name, () => {
      expect(Object.fromEntries(parse(name))).toEqual(expected[name]);
    });
  }

  it('reads no rows from output without a summary (a run that died early counts as nothing)', () => {
    expect(parseRecap('ERROR! the playbook: site.yml could not be found\n').size).toBe(0);
    expect(parseSummary('drover: E_MANIFEST_INVALID: 3 problems\n').size).toBe(0);
  });
});
