/**
 * Judging figures against the baseline (test/fixtures/bench/figures.json: each figure with the
 * verdict and goal it must get), the builds' turn order, and merging the figures of several suites.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareSamples, judgeAll, mergeFigures, turnOrder, type Figure, type Verdict } from '../../bench/verdict.js';

interface Expected {
  verdict: Verdict;
  current: number;
  baseline?: number;
  goal?: { met: boolean };
}

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/bench/figures.json'), 'utf8')) as { figures: Figure[]; expected: Expected[] };

describe('judgeAll', () => {
  const judged = judgeAll(fixture.figures);
  fixture.figures.forEach((figure, i) => {
    const want = fixture.expected[i]!;
    it(`${figure.name}: ${want.verdict}${want.goal ? `, goal ${want.goal.met ? 'met' : 'missed'}` : ''}`, () => {
      const j = judged[i]!;
      expect(j.verdict).toBe(want.verdict);
      expect(j.current).toBeCloseTo(want.current);
      if (want.baseline === undefined) expect(j.baseline).toBeNaN();
      else expect(j.ratio).toBeCloseTo(want.current / want.baseline);
      expect(j.goal?.met).toBe(want.goal?.met);
    });
  });

  it('judges a goal relative to another figure by the ratio of the current medians', () => {
    const better = judged.find((j) => j.figure.name === 'better beyond noise')!;
    expect(better.goal?.value).toBeCloseTo(61 / 41);
  });
});

describe('compareSamples', () => {
  it('needs samples on both sides', () => {
    expect(compareSamples([1, 2], undefined)).toBe('none');
    expect(compareSamples([1, 2], [])).toBe('none');
    expect(compareSamples([], [1])).toBe('none');
  });

  it('calls identical samples the same', () => {
    expect(compareSamples([5, 6, 7], [5, 6, 7])).toBe('same');
  });
});

describe('turnOrder', () => {
  it('alternates which build goes first: A B, B A, A B', () => {
    expect([0, 1, 2].map((run) => turnOrder(['A', 'B'], run).join(''))).toEqual(['AB', 'BA', 'AB']);
    expect(turnOrder(['A'], 1)).toEqual(['A']);
  });
});

describe('mergeFigures', () => {
  const floor: Figure = { name: 'floor', unit: 'ms', current: [1] };
  const dry: Figure = { name: 'dry run', unit: 'ms', current: [2], goal: { max: 1.5, per: 'floor', text: '<= 1.5x the floor' } };

  it('appends figures whose names are free', () => {
    expect(mergeFigures([floor], [dry], 'drover').map((f) => f.name)).toEqual(['floor', 'dry run']);
  });

  it('renames a later suite\'s figures, goal references included, when a name is taken', () => {
    const merged = mergeFigures([floor, dry], [floor, dry], 'scale');
    expect(merged.map((f) => f.name)).toEqual(['floor', 'dry run', 'floor [scale]', 'dry run [scale]']);
    expect(merged[3]!.goal?.per).toBe('floor [scale]');
    expect(judgeAll(merged)[3]!.goal?.value).toBe(2);
  });
});
