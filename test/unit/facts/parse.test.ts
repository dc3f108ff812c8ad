import { describe, expect, it } from 'vitest';
import { parseProbeOutput } from '../../../controller/facts/parse.js';
import { DroverError } from '../../../manifests/errors.js';
import { FIXTURE_TOKEN, loadFixtures } from './fixtures.js';

const cases = loadFixtures();
const errorCases = loadFixtures('errors');

describe('parseProbeOutput on recorded probe outputs', () => {
  it('has fixtures to run', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
    expect(errorCases.length).toBeGreaterThanOrEqual(9);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const facts = parseProbeOutput(c.output, { token: FIXTURE_TOKEN, resources: c.resources });
    expect(facts).toEqual(c.expected);
    // Facts must survive JSON unchanged (no undefined, Dates or Buffers inside).
    expect(JSON.parse(JSON.stringify(facts))).toEqual(facts);
  });

  it.each(errorCases.map((c) => [c.name, c] as const))('rejects malformed output: %s', (_name, c) => {
    let thrown: unknown;
    try {
      parseProbeOutput(c.output, { token: FIXTURE_TOKEN, resources: c.resources });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DroverError);
    expect((thrown as DroverError).code).toBe(c.error!.code);
    expect((thrown as DroverError).kind).toBe('internal');
    expect((thrown as DroverError).message).toContain(`probe section "${c.error!.section}"`);
  });

  it('ignores lines that do not start with the token (another run, banners)', () => {
    const c = cases.find((x) => x.name === 'files-gnu-stat')!;
    const other = c.output.replaceAll(FIXTURE_TOKEN, 'droverOTHERRUN00000000000000');
    const noisy = `${other}motd line\nbanner ${FIXTURE_TOKEN} begin files\n${c.output}`;
    expect(parseProbeOutput(noisy, { token: FIXTURE_TOKEN, resources: c.resources })).toEqual(c.expected);
  });
});
