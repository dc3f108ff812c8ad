/**
 * The fleet suites of the CLI: `all` and `ansible` (drover against Ansible on BENCH_HOSTS hosts),
 * `drover` (the same drover rounds without Ansible: the quick regression guard on a fleet) and `scale`
 * (drover's no-op dry run at BENCH_SCALE hosts). Every drover round runs once per build. `all` (and the
 * others when BENCH_OUT is set) rewrites the benchmarks document, keeping its marked sections.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { startFleet } from '../fleet/index.js';
import type { Build } from './builds.js';
import { compareTools, type Comparison } from './compare.js';
import { controllerSection } from './controller.js';
import { comparisonFigures, scaleFigures } from './fleet-figures.js';
import { guardSectionOf } from './guard-markdown.js';
import { describeMachine, ensureTools, loadAverage } from './machine.js';
import { comparisonTable, evaluateGoals, goalLines, renderMarkdown, scaleTable } from './report.js';
import { scaleDryRun, type ScaleResult } from './scale.js';
import { scaleControllerSection } from './scale-controller.js';
import type { Settings } from './settings.js';
import type { Figure } from './verdict.js';

/** What benchTools runs. */
export interface ToolsOptions {
  settings: Settings;
  builds: readonly Build[];
  /** Run the rounds on BENCH_HOSTS hosts; with Ansible's beside drover's when `ansible`. */
  compare: boolean;
  ansible: boolean;
  /** Run the no-op dry run at BENCH_SCALE hosts. */
  scale: boolean;
  /** Rewrite settings.out. */
  write: boolean;
  /** The command line, for the document. */
  command: string;
  log: (line: string) => void;
}

/** Runs the chosen parts on one fleet (as large as the largest part needs) and returns their figures. */
export async function benchTools(options: ToolsOptions): Promise<Figure[]> {
  const { settings, builds, log } = options;
  const startedAt = new Date();
  ensureTools(log, { ansible: options.ansible });
  const machine = describeMachine();
  const count = Math.max(options.compare ? settings.hosts : 1, ...(options.scale ? settings.scale : [1]));
  log(`starting a fleet of ${count} hosts`);
  const fleet = await startFleet({ count, name: 'bench' });
  let comparison: Comparison | undefined;
  const scale: ScaleResult[] = [];
  try {
    if (options.compare) {
      comparison = await compareTools({ fleet, count: settings.hosts, runs: settings.runs, builds, ansible: options.ansible, log });
      if (options.ansible) console.log(`\n${comparisonTable(comparison)}\n`);
    }
    if (options.scale) {
      for (const n of settings.scale) scale.push(await scaleDryRun({ fleet, count: n, runs: settings.runs, builds, log }));
      console.log(`${scaleTable(scale)}\n`);
    }
  } finally {
    await fleet.stop();
  }
  const figures = [...(comparison ? comparisonFigures(comparison) : []), ...scaleFigures(scale)];
  if (!options.ansible && !options.scale) return figures;
  console.log(goalLines(evaluateGoals(options.ansible ? comparison : undefined, scale)).join('\n'));
  if (options.write) writeDocument({ settings, comparison: options.ansible ? comparison : undefined, scale, machine, startedAt, command: options.command });
  return figures;
}

function writeDocument(input: { settings: Settings; comparison: Comparison | undefined; scale: ScaleResult[]; machine: [string, string][]; startedAt: Date; command: string }): void {
  const { settings, machine } = input;
  machine.push(['load average at end', loadAverage()]);
  const durationS = (Date.now() - input.startedAt.getTime()) / 1000;
  const command = `${input.command} (BENCH_RUNS=${settings.runs} BENCH_HOSTS=${settings.hosts} BENCH_SCALE=${settings.scale.join(',')})`;
  let kept = '';
  try {
    const text = readFileSync(settings.out, 'utf8');
    kept = [guardSectionOf(text), controllerSection(text), scaleControllerSection(text)].filter(Boolean).join('\n\n');
  } catch {
    // no document yet
  }
  const markdown = renderMarkdown({ comparison: input.comparison, scale: input.scale, machine, startedAt: input.startedAt, durationS, command });
  writeFileSync(settings.out, kept ? `${markdown.trimEnd()}\n\n${kept}\n` : markdown);
  console.log(`\nwrote ${settings.out}`);
}
