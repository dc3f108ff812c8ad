/**
 * What each suite of `npm run bench` runs, as a function from the builds to measure (the current
 * one first, then the baseline when there is one) to the figures for the comparison table. Each
 * suite also prints its own tables as it did before the baseline existed.
 */
import { startFleet } from '../fleet/index.js';
import { renderTable } from '../../controller/cli/table.js';
import type { Suite } from './args.js';
import type { Build } from './builds.js';
import { benchController } from './controller.js';
import { benchHttp } from './http.js';
import { httpFigures, httpSection, writeHttpSection } from './http-report.js';
import { benchLoad } from './load.js';
import { benchPage } from './page.js';
import { benchObserve, observeFigures, observeRows } from './observe.js';
import { benchPreview } from './preview.js';
import { benchScaleController } from './scale-controller.js';
import type { Settings } from './settings.js';
import { benchStart } from './start.js';
import { benchTools } from './tools.js';
import type { Figure } from './verdict.js';

/** What every suite gets. */
export interface SuiteContext {
  settings: Settings;
  builds: readonly Build[];
  /** The command line, for the documents the suites write. */
  command: string;
  log: (line: string) => void;
}

async function observation(ctx: SuiteContext): Promise<Figure[]> {
  console.log(`## observe fleet hosts (medians of ${ctx.settings.runs} runs, alternating)\n`);
  const fleet = await startFleet({ count: 50, name: 'bench' });
  try {
    const rows: string[][] = [];
    const figures: Figure[] = [];
    for (const n of [20, 50]) {
      const samples = await benchObserve(fleet, n, ctx.settings.runs, ctx.builds);
      rows.push(...observeRows(samples));
      figures.push(...observeFigures(samples));
    }
    console.log(renderTable(['HOSTS', 'FLOOR (ssh true)', 'DROVER COLD', 'COLD/FLOOR', 'DROVER WARM'], rows));
    return figures;
  } finally {
    await fleet.stop();
  }
}

async function http(ctx: SuiteContext): Promise<Figure[]> {
  const { settings } = ctx;
  const results = await benchHttp({ hosts: settings.hosts, runs: settings.runs, builds: ctx.builds });
  console.log(`\n${httpSection(results[0]!, settings.runs).join('\n')}\n`);
  await writeHttpSection(settings.out, results[0]!, settings.runs);
  return httpFigures(results);
}

const tools = (ctx: SuiteContext, parts: { compare: boolean; ansible: boolean; scale: boolean; write: boolean }): Promise<Figure[]> =>
  benchTools({ ...ctx, ...parts });
const written = (): boolean => process.env.BENCH_OUT !== undefined;

/** Every suite's runner. */
export const RUNNERS: Record<Suite, (ctx: SuiteContext) => Promise<Figure[]>> = {
  all: (ctx) => tools(ctx, { compare: true, ansible: true, scale: true, write: true }),
  ansible: (ctx) => tools(ctx, { compare: true, ansible: true, scale: false, write: written() }),
  drover: (ctx) => tools(ctx, { compare: true, ansible: false, scale: false, write: false }),
  scale: (ctx) => tools(ctx, { compare: false, ansible: false, scale: true, write: written() }),
  observe: observation,
  load: (ctx) => benchLoad({ builds: ctx.builds, runs: ctx.settings.runs, log: ctx.log }),
  start: (ctx) => benchStart({ builds: ctx.builds, runs: ctx.settings.startRuns, log: ctx.log }),
  controller: async (ctx) => {
    const { settings } = ctx;
    const figures = await benchController({ hosts: settings.hosts, runs: settings.runs, out: settings.out, builds: ctx.builds });
    return [...figures, ...(await http(ctx))];
  },
  http,
  preview: (ctx) => benchPreview({ hosts: ctx.settings.hosts, runs: ctx.settings.runs, builds: ctx.builds }),
  page: (ctx) => benchPage({ hosts: Number(process.env.BENCH_PAGE_HOSTS ?? 1000), runs: ctx.settings.runs, log: ctx.log }),
  'scale-controller': (ctx) => benchScaleController({ target: ctx.settings.scaleHosts, runs: ctx.settings.runs, out: ctx.settings.out }),
};
