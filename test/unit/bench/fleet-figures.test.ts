/**
 * The fleet suites' samples as figures (test/fixtures/bench/comparison.json): one figure per drover
 * scenario with the baseline's samples beside, the floor without, and the goals that apply.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Comparison } from '../../bench/compare.js';
import { comparisonFigures, scaleFigures } from '../../bench/fleet-figures.js';
import type { ScaleResult } from '../../bench/scale.js';
import { judgeAll } from '../../bench/verdict.js';

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/bench/comparison.json'), 'utf8')) as { comparison: Comparison; scale: ScaleResult[] };

describe('comparisonFigures', () => {
  const judged = judgeAll(comparisonFigures(fixture.comparison));
  const byName = new Map(judged.map((j) => [j.figure.name, j]));

  it('has the floor (no baseline), every scenario and the dry run\'s peak RSS, in that order', () => {
    expect(judged.map((j) => j.figure.name)).toEqual([
      '2 hosts: floor (2 x ssh HOST true)', '2 hosts: first apply, fresh hosts (CLI)', '2 hosts: no-op apply (CLI)', '2 hosts: no-op dry run (CLI)',
      '2 hosts: apply, 1 file changed per host (CLI)', '2 hosts: apply, 1 file changed per host, lockout guard on (CLI)', '2 hosts: warm drift check (library, kept connections)', '2 hosts: no-op dry run, drover\'s peak RSS',
    ]);
    expect(byName.get('2 hosts: floor (2 x ssh HOST true)')!.verdict).toBe('none');
  });

  it('judges the guarded apply against the unguarded one of the same build (goal <= 1.1x)', () => {
    const guarded = byName.get('2 hosts: apply, 1 file changed per host, lockout guard on (CLI)')!;
    expect(guarded.goal).toEqual({ value: 430.5 / 410, met: true });
  });

  it('marks the slower dry run WORSE, judges it against the floor, and the rest the same', () => {
    const dry = byName.get('2 hosts: no-op dry run (CLI)')!;
    expect(dry.verdict).toBe('worse');
    expect(dry.goal).toEqual({ value: 145 / 105, met: true });
    expect(byName.get('2 hosts: no-op dry run, drover\'s peak RSS')!.verdict).toBe('same');
    expect(byName.get('2 hosts: warm drift check (library, kept connections)')!.goal?.met).toBe(true);
    expect(judged.filter((j) => j.verdict === 'worse').map((j) => j.figure.name)).toEqual(['2 hosts: no-op dry run (CLI)']);
  });
});

describe('scaleFigures', () => {
  it('gives each size its floor, dry run (under 5 s from 200 hosts) and peak RSS, without a baseline when none ran', () => {
    const judged = judgeAll(scaleFigures(fixture.scale));
    expect(judged.map((j) => [j.figure.name, j.verdict, j.goal?.met])).toEqual([
      ['200 hosts: floor (200 x ssh HOST true)', 'none', undefined],
      ['200 hosts: no-op dry run (CLI)', 'none', true],
      ['200 hosts: no-op dry run, drover\'s peak RSS', 'none', undefined],
    ]);
  });
});
