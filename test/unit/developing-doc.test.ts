/**
 * docs/developing.md tells what test/fleet/prepare-machine.sh installs for the demo and for the tests:
 * the table must name exactly the script's packages, each in its group, so the two cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const script = readFileSync(new URL('../fleet/prepare-machine.sh', import.meta.url), 'utf8');
const doc = readFileSync(new URL('../../docs/developing.md', import.meta.url), 'utf8');

/** The words of the bash array `name=(...)` in the script. */
function scriptList(name: string): string[] {
  const match = new RegExp(`^${name}=\\(([^)]*)\\)`, 'm').exec(script);
  expect(match, `${name}=(...) in prepare-machine.sh`).not.toBeNull();
  return match![1]!.trim().split(/\s+/).sort();
}

/** The packages of the doc's table rows from the one whose first cell starts with `group` to the next group's. */
function docGroup(group: string): string[] {
  const rows = doc.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| For '));
  const start = rows.findIndex((r) => r.startsWith(`| ${group}`));
  expect(start, `a table row for "${group}" in docs/developing.md`).toBeGreaterThanOrEqual(0);
  const end = rows.findIndex((r, i) => i > start && !r.startsWith('| |'));
  return rows.slice(start, end === -1 ? undefined : end).flatMap((r) => r.split('|')[2]!.split(',').map((p) => p.trim())).sort();
}

describe('docs/developing.md', () => {
  it('lists the packages prepare-machine.sh installs for the demo and for the tests only', () => {
    expect(docGroup('the demo')).toEqual(scriptList('demo_packages'));
    expect(docGroup('the tests only')).toEqual(scriptList('test_packages'));
  });

  it('points at nothing outside the repository', () => {
    expect(doc).not.toMatch(/\.\.\/shared|\/work\//);
  });
});
