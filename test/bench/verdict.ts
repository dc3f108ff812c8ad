/**
 * Figures of a bench run and the judgement of each against the baseline build measured beside it:
 * pure (no clock, no I/O), unit-tested with fixtures (test/unit/bench/verdict.test.ts).
 *
 * Every figure is "lower is better" (a time, a memory size, a CPU share). A figure is WORSE when its
 * current median is more than NOISE above the baseline's median AND above the baseline's highest
 * sample (so the difference is beyond the spread the baseline showed in the same run); BETTER
 * likewise below the baseline's median and lowest sample; otherwise the same within noise.
 */
import { median } from './stats.js';

/** How a figure's numbers read: milliseconds, kilobytes, per cent of one core. */
export type Unit = 'ms' | 'kB' | '%';

/** The relative difference of the medians below which two builds count as the same. */
export const NOISE = 0.1;

/** A goal: the current median (or its ratio to the current median of figure `per`) at most `max`. */
export interface Goal {
  max: number;
  /** Name of the figure this one is divided by (`node -e 0`); absent: the figure's own value in its unit. */
  per?: string;
  /** How the goal reads in the table (`<= 1.5x node -e 0`). */
  text: string;
}

/** One measured figure of both builds; `baseline` absent when the baseline was not measured for it. */
export interface Figure {
  /** Unique within a run; also the label in the table. */
  name: string;
  unit: Unit;
  current: number[];
  baseline?: number[];
  /** Why there is no baseline, or anything else a reader must know about the figure. */
  note?: string;
  goal?: Goal;
}

/** The comparison of the medians: worse or better beyond noise, the same, or none (no baseline samples). */
export type Verdict = 'worse' | 'better' | 'same' | 'none';

/** A figure with its medians, ratio, verdict and goal judged. */
export interface Judged {
  figure: Figure;
  current: number;
  /** NaN when there is no baseline. */
  baseline: number;
  /** current / baseline; NaN when there is no baseline. */
  ratio: number;
  verdict: Verdict;
  goal?: { value: number; met: boolean };
}

/** The verdict on two sample lists (see the module comment); `none` when either list is empty. */
export function compareSamples(current: readonly number[], baseline: readonly number[] | undefined): Verdict {
  if (!baseline?.length || current.length === 0) return 'none';
  const cur = median([...current]);
  const base = median([...baseline]);
  if (cur > base * (1 + NOISE) && cur > Math.max(...baseline)) return 'worse';
  if (cur < base * (1 - NOISE) && cur < Math.min(...baseline)) return 'better';
  return 'same';
}

/** The goal's value (the figure's median, or its ratio to figure `per`) and whether it is met; undefined without a goal or reference. */
export function judgeGoal(figure: Figure, all: readonly Figure[]): { value: number; met: boolean } | undefined {
  const goal = figure.goal;
  if (!goal) return undefined;
  let value = median(figure.current);
  if (goal.per !== undefined) {
    const ref = all.find((f) => f.name === goal.per);
    if (!ref) return undefined;
    value /= median(ref.current);
  }
  return Number.isFinite(value) ? { value, met: value <= goal.max } : undefined;
}

/** Judges every figure (goals may refer to other figures of the same list). */
export function judgeAll(figures: readonly Figure[]): Judged[] {
  return figures.map((figure) => {
    const current = median(figure.current);
    const baseline = figure.baseline?.length ? median(figure.baseline) : Number.NaN;
    const goal = judgeGoal(figure, figures);
    return { figure, current, baseline, ratio: current / baseline, verdict: compareSamples(figure.current, figure.baseline), ...(goal ? { goal } : {}) };
  });
}

/**
 * The order in which the builds take their turn in run `run`: as given in even runs, reversed in odd
 * ones (A B, B A, ...), so neither build always goes first after the same step.
 */
export function turnOrder<T>(builds: readonly T[], run: number): T[] {
  return run % 2 === 0 ? [...builds] : [...builds].reverse();
}

/**
 * Appends a suite's figures to those gathered so far. Names must stay unique (goals refer to them):
 * when any of the new names is taken, every new figure gets ` [suite]` after its name, and its goal's
 * reference too.
 */
export function mergeFigures(gathered: readonly Figure[], incoming: readonly Figure[], suite: string): Figure[] {
  const taken = new Set(gathered.map((f) => f.name));
  if (!incoming.some((f) => taken.has(f.name))) return [...gathered, ...incoming];
  const rename = (name: string): string => `${name} [${suite}]`;
  return [...gathered, ...incoming.map((f) => ({
    ...f, name: rename(f.name),
    ...(f.goal ? { goal: { ...f.goal, ...(f.goal.per !== undefined ? { per: rename(f.goal.per) } : {}) } } : {}),
  }))];
}
