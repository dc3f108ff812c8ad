/**
 * The comparison table that ends every bench run (figure, current, baseline, ratio, goal, met?), as
 * text for the terminal and as a markdown section for docs/benchmarks.md: pure, unit-tested with
 * fixtures (test/unit/bench/guard-table.test.ts).
 */
import { renderTable } from '../../controller/cli/table.js';
import { mb, ms } from './stats.js';
import { NOISE, type Judged, type Unit } from './verdict.js';

/** Formats a value of `unit` for a table (`-` when missing). */
export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return '-';
  if (unit === 'ms') return ms(value);
  if (unit === 'kB') return mb(value);
  return `${value.toFixed(2)}%`;
}

/** A ratio as `1.23x` (`-` when missing). */
export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : '-';
}

type Style = 'text' | 'markdown';

function ratioCell(j: Judged, style: Style): string {
  if (j.verdict === 'none') return '-';
  const mark = { worse: style === 'text' ? ' WORSE' : ' **worse**', better: ' better', same: '' }[j.verdict];
  // One sample on a side shows no spread: the mark then only says "more than NOISE apart".
  const single = j.verdict !== 'same' && Math.min(j.figure.current.length, j.figure.baseline?.length ?? 0) < 2;
  return `${formatRatio(j.ratio)}${mark}${single ? '?' : ''}`;
}

function goalValue(j: Judged): string {
  if (!j.goal) return '';
  return j.figure.goal?.per !== undefined ? formatRatio(j.goal.value) : formatValue(j.goal.value, j.figure.unit);
}

function metCell(j: Judged, style: Style): string {
  if (!j.figure.goal) return '';
  if (!j.goal) return '?';
  const word = j.goal.met ? 'met' : style === 'text' ? 'MISSED' : '**missed**';
  return `${word} (${goalValue(j)})`;
}

/** The header of the comparison table. */
export const GUARD_HEADER = ['FIGURE', 'CURRENT', 'BASELINE', 'RATIO', 'GOAL', 'MET?'];

/** One row per judged figure: medians, ratio current/baseline with its mark, the goal and whether the current build meets it. */
export function guardRows(judged: readonly Judged[], style: Style = 'text'): string[][] {
  return judged.map((j) => [
    j.figure.name, formatValue(j.current, j.figure.unit), formatValue(j.baseline, j.figure.unit),
    ratioCell(j, style), j.figure.goal?.text ?? '', metCell(j, style),
  ]);
}

/** How to read the table (printed under it and written with the markdown). */
export function legend(runsNote: string): string[] {
  const pct = Math.round(NOISE * 100);
  return [
    `CURRENT and BASELINE are medians of each figure's samples (${runsNote}); the two builds were measured in the same run, taking turns (A B, B A, ...), so machine load falls on both alike.`,
    `RATIO = current / baseline (below 1: the current build is faster or smaller). WORSE: the current median is more than ${pct}% above the baseline's median and above the baseline's highest sample, i.e. beyond the noise the baseline showed; better: the mirror image; no mark: the same within noise. WORSE? / better?: a figure of one sample per build (no spread to judge the noise by): only more than ${pct}% apart, run again before believing it.`,
    'GOAL / MET?: the project\'s goal for the current build and its value (a ratio when the goal is relative to another figure of the same run). A figure without a baseline says why in the notes.',
  ];
}

/** The figures' notes (`- name, name: note`, figures with the same note on one line), e.g. why a figure has no baseline. */
export function noteLines(judged: readonly Judged[]): string[] {
  const byNote = new Map<string, string[]>();
  for (const j of judged) if (j.figure.note) byNote.set(j.figure.note, [...(byNote.get(j.figure.note) ?? []), j.figure.name]);
  return [...byNote].map(([note, names]) => `- ${names.join('; ')}: ${note}`);
}

/** The samples behind each median, as `min / median / max (n)` per build (for the terminal log and a collapsed markdown block). */
export function spreadRows(judged: readonly Judged[]): string[][] {
  const spread = (values: readonly number[] | undefined, mid: number, unit: Unit): string => {
    if (!values?.length) return '-';
    const f = (v: number): string => formatValue(v, unit);
    return `${f(Math.min(...values))} / ${f(mid)} / ${f(Math.max(...values))} (${values.length})`;
  };
  return judged.map((j) => [j.figure.name, spread(j.figure.current, j.current, j.figure.unit), spread(j.figure.baseline, j.baseline, j.figure.unit)]);
}

/** The table and legend as the terminal shows them. */
export function guardText(judged: readonly Judged[], runsNote: string): string {
  const notes = noteLines(judged);
  return [renderTable(GUARD_HEADER, guardRows(judged)), '', ...legend(runsNote), ...(notes.length ? ['', 'notes:', ...notes] : [])].join('\n');
}

/** A markdown table (pipes escaped in cells). */
export function markdownTable(header: readonly string[], rows: readonly string[][]): string {
  const cell = (c: string): string => c.replace(/\|/g, '\\|');
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
