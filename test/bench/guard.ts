/**
 * The end of every bench run: the figures of all suites judged against the baseline, printed as
 * the comparison table (with the samples behind each median), and written as a markdown section
 * when `--markdown FILE` asked for it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { renderTable } from '../../controller/cli/table.js';
import { guardSection, replaceGuardSection, type GuardRun } from './guard-markdown.js';
import { guardText, spreadRows } from './guard-table.js';
import { judgeAll, type Figure, type Judged } from './verdict.js';

/** Judges and prints the figures; writes `markdown` (its guard section) when given. Returns the judged figures. */
export async function reportGuard(figures: readonly Figure[], run: GuardRun, markdown: string | undefined): Promise<Judged[]> {
  const judged = judgeAll(figures);
  console.log(`\n## samples: min / median / max (count)\n\n${renderTable(['FIGURE', 'CURRENT', 'BASELINE'], spreadRows(judged))}`);
  console.log(`\n## current build against the baseline\n\n${[...run.builds, ...run.notes].join('\n')}\n`);
  console.log(guardText(judged, run.runsNote));
  if (markdown) {
    const doc = await readFile(markdown, 'utf8').catch(() => '');
    await writeFile(markdown, replaceGuardSection(doc, guardSection(run, judged)));
    console.log(`\nwrote the comparison into ${markdown}`);
  }
  return judged;
}
