/**
 * The comparison as a markdown section of docs/benchmarks.md (between `<!-- bench:guard -->`
 * markers, so the other suites' rewrites of that file keep it): pure, unit-tested with fixtures.
 */
import { GUARD_HEADER, guardRows, legend, markdownTable, noteLines, spreadRows } from './guard-table.js';
import type { Judged } from './verdict.js';

/** The section's start marker. */
export const GUARD_START = '<!-- bench:guard -->';
/** The section's end marker. */
export const GUARD_END = '<!-- /bench:guard -->';

/** What the section says about its run besides the figures. */
export interface GuardRun {
  /** The command as run, e.g. `npm run bench -- start --baseline HEAD~5`. */
  command: string;
  /** ISO time the run started. */
  startedAt: string;
  /** `current: 66e72c0 (+ uncommitted changes)`, `baseline: HEAD~5 = 07e5c78`. */
  builds: string[];
  /** Anything about the run as a whole (load average, node_modules of the baseline). */
  notes: string[];
  /** How many samples the medians are of, in words. */
  runsNote: string;
}

/** The whole section, markers included. */
export function guardSection(run: GuardRun, judged: readonly Judged[]): string {
  const notes = noteLines(judged);
  return [
    GUARD_START,
    `## Current build against a baseline (\`${run.command}\`, ${run.startedAt})`,
    '',
    ...run.builds.map((b) => `- ${b}`),
    ...run.notes.map((n) => `- ${n}`),
    '',
    markdownTable(GUARD_HEADER, guardRows(judged, 'markdown')),
    '',
    ...legend(run.runsNote).map((l) => `- ${l}`),
    ...(notes.length ? ['', 'Notes:', '', ...notes] : []),
    '',
    '<details><summary>samples: min / median / max (count)</summary>',
    '',
    markdownTable(['FIGURE', 'CURRENT', 'BASELINE'], spreadRows(judged)),
    '',
    '</details>',
    GUARD_END,
  ].join('\n');
}

/** The guard section of a document (markers included), or ''. */
export function guardSectionOf(doc: string): string {
  // Markers count only on lines of their own: prose may name them.
  const found = doc.match(/^<!-- bench:guard -->$[\s\S]*?^<!-- \/bench:guard -->$/m);
  return found ? found[0] : '';
}

/** `doc` with its guard section replaced by `section`, or with `section` appended when it has none. */
export function replaceGuardSection(doc: string, section: string): string {
  const old = guardSectionOf(doc);
  if (old) return doc.replace(old, () => section);
  return doc.trim() ? `${doc.trimEnd()}\n\n${section}\n` : `${section}\n`;
}
