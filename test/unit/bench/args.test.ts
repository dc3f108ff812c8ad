/**
 * `npm run bench -- ...`: the command line as a table of cases (test/fixtures/bench/args.json), and
 * the default baseline ref.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baselineChoice, defaultBaselineRef, parseBenchArgs, type BenchArgs } from '../../bench/args.js';

interface Case {
  argv: string[];
  expected?: BenchArgs;
  error?: string;
}

const { cases } = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/bench/args.json'), 'utf8')) as { cases: Case[] };

describe('parseBenchArgs', () => {
  for (const c of cases) {
    it(`${JSON.stringify(c.argv)} -> ${c.error ? `error: ${c.error}` : JSON.stringify(c.expected)}`, () => {
      if (c.error) expect(() => parseBenchArgs(c.argv)).toThrow(c.error);
      else expect(parseBenchArgs(c.argv)).toEqual(c.expected);
    });
  }

  it('names every suite in the error on an unknown one', () => {
    expect(() => parseBenchArgs(['nope'])).toThrow(/suites: all, ansible, drover, scale, observe, load, start, controller, http, scale-controller, preview, page/);
  });
});

describe('the baseline ref', () => {
  it('is the last tag when there is one, else HEAD~20', () => {
    expect(defaultBaselineRef('v0.2.0\n')).toBe('v0.2.0');
    expect(defaultBaselineRef(undefined)).toBe('HEAD~20');
    expect(defaultBaselineRef('  ')).toBe('HEAD~20');
  });

  it('"none" skips the baseline; anything else is a ref', () => {
    expect(baselineChoice('none')).toEqual({ kind: 'none' });
    expect(baselineChoice('HEAD~5')).toEqual({ kind: 'ref', ref: 'HEAD~5' });
  });
});
