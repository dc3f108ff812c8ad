/**
 * The fleet suites' samples as figures for the comparison table (pure): drover's CLI scenarios and
 * warm check on N hosts (compare.ts) and the no-op dry run at larger fleets (scale.ts), each with the
 * baseline's samples when a baseline ran, and drover's performance goals that apply.
 */
import type { Comparison, Scenario } from './compare.js';
import type { Sample } from './measure.js';
import type { ScaleResult } from './scale.js';
import type { Figure, Goal } from './verdict.js';

const walls = (samples: readonly Sample[]): number[] => samples.map((s) => s.wallMs);
const rssOf = (samples: readonly Sample[]): number[] => samples.flatMap((s) => (s.maxRssKb === undefined ? [] : [s.maxRssKb]));

const SCENARIO_NAMES: Record<Scenario, string> = {
  first: 'first apply, fresh hosts (CLI)',
  noop: 'no-op apply (CLI)',
  dry: 'no-op dry run (CLI)',
  change: 'apply, 1 file changed per host (CLI)',
  guarded: 'apply, 1 file changed per host, lockout guard on (CLI)',
  warm: 'warm drift check (library, kept connections)',
};

function pair(name: string, unit: Figure['unit'], pick: (s: readonly Sample[]) => number[], current: readonly Sample[], baseline: readonly Sample[] | undefined, goal?: Goal): Figure {
  return { name, unit, current: pick(current), ...(baseline ? { baseline: pick(baseline) } : {}), ...(goal ? { goal } : {}) };
}

/** The floor figure of `hosts` hosts: OpenSSH alone, the same for both builds. */
export function floorFigure(hosts: number, samples: readonly Sample[]): Figure {
  return { name: `${hosts} hosts: floor (${hosts} x ssh HOST true)`, unit: 'ms', current: walls(samples), note: 'OpenSSH\'s client, the same for both builds: the reference of the "x the floor" goals' };
}

/** Figures of a comparison: the floor, wall time of each drover scenario, and the dry run's peak RSS. */
export function comparisonFigures(c: Comparison): Figure[] {
  const floor = floorFigure(c.hosts, c.floor);
  const goals: Partial<Record<Scenario, Goal>> = {
    dry: { max: 1.5, per: floor.name, text: '<= 1.5x the floor' },
    warm: { max: 200, text: 'under 200 ms' },
    guarded: { max: 1.1, per: `${c.hosts} hosts: ${SCENARIO_NAMES.change}`, text: '<= 1.1x the unguarded apply' },
  };
  const figures = [floor];
  for (const key of Object.keys(SCENARIO_NAMES) as Scenario[]) {
    figures.push(pair(`${c.hosts} hosts: ${SCENARIO_NAMES[key]}`, 'ms', walls, c.drover[key], c.baseline?.[key], goals[key]));
  }
  figures.push(pair(`${c.hosts} hosts: no-op dry run, drover's peak RSS`, 'kB', rssOf, c.drover.dry, c.baseline?.dry));
  return figures;
}

/** Figures of the larger fleets: per size the floor, the no-op dry run (goal under 5 s from 200 hosts) and its peak RSS. */
export function scaleFigures(results: readonly ScaleResult[]): Figure[] {
  return results.flatMap((r) => {
    const floor = floorFigure(r.hosts, r.floor);
    const goal: Goal | undefined = r.hosts >= 200 ? { max: 5000, text: 'under 5 s' } : undefined;
    return [
      floor,
      pair(`${r.hosts} hosts: no-op dry run (CLI)`, 'ms', walls, r.dry, r.baseline, goal),
      pair(`${r.hosts} hosts: no-op dry run, drover's peak RSS`, 'kB', rssOf, r.dry, r.baseline),
    ];
  });
}
