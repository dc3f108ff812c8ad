/**
 * The comparison table that ends a bench run, as text and as a markdown section, rendered from the
 * figures of test/fixtures/bench/figures.json and compared with guard-table.txt and guard-section.md
 * there (read them to see what a run prints); and how the section goes into an existing document.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GUARD_END, GUARD_START, guardSection, guardSectionOf, replaceGuardSection } from '../../bench/guard-markdown.js';
import { formatRatio, formatValue, guardText, markdownTable, noteLines } from '../../bench/guard-table.js';
import { judgeAll, type Figure } from '../../bench/verdict.js';

const dir = join(import.meta.dirname, '../../fixtures/bench');
const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
const { figures } = JSON.parse(read('figures.json')) as { figures: Figure[] };
const judged = judgeAll(figures);
const run = {
  command: 'npm run bench -- start --baseline HEAD~5', startedAt: '2026-11-30T10:00:00.000Z',
  builds: ['current: 66e72c0', 'baseline: HEAD~5 = 07e5c78'], notes: ['load average at start 0.10 0.20 0.30'], runsNote: '3 runs',
};

describe('the comparison table', () => {
  it('renders as text: medians, ratio with WORSE/better marks (WORSE? on single samples), goal and met', () => {
    expect(`${guardText(judged, '3 runs')}\n`).toBe(read('guard-table.txt'));
  });

  it('renders as a markdown section between the guard markers', () => {
    expect(`${guardSection(run, judged)}\n`).toBe(read('guard-section.md'));
  });

  it('formats each unit, and a missing value as -', () => {
    expect([formatValue(41.4, 'ms'), formatValue(2340, 'ms'), formatValue(153600, 'kB'), formatValue(0.456, '%'), formatValue(Number.NaN, 'ms')]).toEqual(['41 ms', '2.34 s', '150 MB', '0.46%', '-']);
    expect([formatRatio(1.234), formatRatio(Number.NaN)]).toEqual(['1.23x', '-']);
  });

  it('gives figures that share a note one line', () => {
    const shared = judgeAll([
      { name: 'a', unit: 'ms', current: [1], note: 'current build only' },
      { name: 'b', unit: 'ms', current: [1], note: 'current build only' },
      { name: 'c', unit: 'ms', current: [1], note: 'other' },
    ]);
    expect(noteLines(shared)).toEqual(['- a; b: current build only', '- c: other']);
  });

  it('escapes pipes in markdown cells', () => {
    expect(markdownTable(['A'], [['x | y']])).toBe('| A |\n| --- |\n| x \\| y |');
  });
});

describe('the guard section in a document', () => {
  const section = guardSection(run, judged);

  it('is appended to a document without one, and is the whole of an empty one', () => {
    expect(replaceGuardSection('# Benchmarks\n\ntext\n', section)).toBe(`# Benchmarks\n\ntext\n\n${section}\n`);
    expect(replaceGuardSection('', section)).toBe(`${section}\n`);
  });

  it('replaces the old section in place, keeping what is around it', () => {
    const doc = `# B\n\n${GUARD_START}\nold $& figures\n${GUARD_END}\n\n<!-- bench:controller -->\nkept\n`;
    const next = replaceGuardSection(doc, section);
    expect(next).toBe(`# B\n\n${section}\n\n<!-- bench:controller -->\nkept\n`);
    expect(guardSectionOf(next)).toBe(section);
  });

  it('takes markers only on lines of their own: prose naming one is kept', () => {
    const doc = `# B\n\n- writes between \`${GUARD_START}\` markers\n\n<!-- bench:page -->\npage\n<!-- /bench:page -->\n\n${GUARD_START}\nold\n${GUARD_END}\n`;
    expect(replaceGuardSection(doc, section)).toBe(`# B\n\n- writes between \`${GUARD_START}\` markers\n\n<!-- bench:page -->\npage\n<!-- /bench:page -->\n\n${section}\n`);
  });

  it('finds no section without both markers', () => {
    expect(guardSectionOf(`${GUARD_START}\nno end`)).toBe('');
  });
});
