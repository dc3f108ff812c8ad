/**
 * The HTTP bench's results as text: its table and notes (in the controller section of
 * docs/benchmarks.md, for the current build) and its figures for the comparison table, every build's.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { renderTable } from '../../controller/cli/table.js';
import { median, ms } from './stats.js';
import type { Figure } from './verdict.js';

/** What the HTTP benchmark measured. */
export interface HttpBench {
  hosts: number;
  webhookToConverged: number[];
  /** Of which: POST -> revision accepted (fetch, snapshot, validation). */
  webhookToAccepted: number[];
  latency: { p50: number; p99: number; max: number; requests: number; non2xx: number; errors: number; rate: number; reconciles: number };
  /** The same load with no reconcile running (the last window). */
  idle: { p50: number; p99: number };
  /** The same load during syncs of every host at the same revision (observe + plan, no fetch, no validation). */
  syncs: { p50: number; p99: number; max: number; count: number };
  /** Every window's p99 (ms), and the controller's CPU time (ms) per 1,000 requests of each idle window: two windows of each kind, one in each order of the builds. */
  samples: { idleP99: number[]; reconcilesP99: number[]; syncsP99: number[]; cpuPer1000: number[] };
}

/** The markdown lines of the HTTP figures (a table and notes). */
export function httpSection(b: HttpBench, runs: number): string[] {
  const converged = median(b.webhookToConverged);
  const rows = [
    [`webhook POST -> ${b.hosts} hosts converged (1 file each, warm; median of ${runs})`, ms(converged), 'under 1 s', converged < 1000 ? 'met' : '**missed**'],
    ['  of which POST -> revision fetched, validated, accepted', ms(median(b.webhookToAccepted)), '', ''],
    [`GET /api/v1/hosts p99 at 200 req/s during ${b.hosts}-host reconciles (median of 2 windows)`, ms(median(b.samples.reconcilesP99)), 'under 50 ms', median(b.samples.reconcilesP99) < 50 ? 'met' : '**missed**'],
    ['  the p99 of each window', b.samples.reconcilesP99.map((v) => `${v} ms`).join(', '), '', ''],
    ['  p50 / max (the last window)', `${b.latency.p50} / ${b.latency.max} ms`, '', ''],
    ['  p50 / p99 / max during syncs of every host (no new revision)', `${b.syncs.p50} / ${b.syncs.p99} / ${b.syncs.max} ms (${b.syncs.count} syncs)`, '', ''],
    ['  p50 / p99 with the controller idle, just before', `${b.idle.p50} / ${b.idle.p99} ms`, '', ''],
    ['  controller CPU per 1,000 of those requests (idle, median of 2 windows)', ms(median(b.samples.cpuPer1000)), '', ''],
    ['  requests (non-2xx, errors), reconciles meanwhile', `${b.latency.requests} (${b.latency.non2xx}, ${b.latency.errors}), ${b.latency.reconciles}`, '', ''],
  ];
  // The latencies come from 10 s windows (two of each kind per build), the webhook figures from `runs` runs.
  const table = renderTable(['MEASURE', 'FIGURE', 'GOAL', ''], rows);
  return [
    '```', table, '```', '',
    '- webhook -> converged: a real `drover controller` process (bin/drover.js) that does not poll (interval 1h); a commit changes one',
    '  file on every host, then a signed GitHub push webhook is POSTed; timed from the POST to the last host\'s `done` log event',
    '  (fetch, validation, observe, plan, apply, verify; warm SSH connections).',
    `- latency: autocannon (10 connections, 200 requests/s overall, 10 s) against GET /api/v1/hosts with the token, while the`,
    '  benchmark commits and posts webhooks back to back, so 20-host reconciles run during the whole window; the same load',
    '  against the idle controller just before gives the floor of this machine at that moment; the same load during syncs of',
    '  every host at the same revision (POST /api/v1/sync back to back: observe + plan, no fetch, no validation) separates',
    '  the cost of reconciling from that of fetching and validating new revisions.',
    `- load average when done: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores, shared with other work: compare).`,
    ...(b.idle.p99 >= 50 ? ['- the idle controller\'s p99 alone is over the 50 ms goal: the machine was too busy for these figures to judge the goals; run again on a quiet machine.'] : []),
  ];
}

const HTTP_START = '<!-- bench:http -->';
const HTTP_END = '<!-- /bench:http -->';

/**
 * Puts the HTTP figures inside the controller section of `file` (before its end marker, replacing
 * earlier HTTP figures), so the main bench keeps them with that section.
 */
export async function writeHttpSection(file: string, b: HttpBench, runs: number): Promise<void> {
  const block = [HTTP_START, '', `### The HTTP API (${new Date().toISOString()})`, '', ...httpSection(b, runs), HTTP_END].join('\n');
  let text = await readFile(file, 'utf8').catch(() => '');
  const start = text.indexOf(HTTP_START);
  const end = text.indexOf(HTTP_END);
  if (start >= 0 && end > start) text = `${text.slice(0, start)}${text.slice(end + HTTP_END.length)}`.replace(/\n{3,}/g, '\n\n');
  const controllerEnd = text.indexOf('<!-- /bench:controller -->');
  text = controllerEnd >= 0 ? `${text.slice(0, controllerEnd)}${block}\n${text.slice(controllerEnd)}` : `${text.trimEnd()}\n\n${block}\n`;
  await writeFile(file, text);
}

/** The HTTP figures for the comparison table: `benches[0]` the current build's, `benches[1]` the baseline's (when measured). */
export function httpFigures(benches: readonly HttpBench[]): Figure[] {
  const [cur, base] = benches;
  const pick = (name: string, unit: Figure['unit'], get: (b: HttpBench) => number[], goal?: Figure['goal']): Figure => ({
    name, unit, current: get(cur!), ...(base ? { baseline: get(base) } : {}), ...(goal ? { goal } : {}),
  });
  return [
    pick(`http: webhook POST -> ${cur!.hosts} hosts converged`, 'ms', (b) => b.webhookToConverged, { max: 1000, text: 'under 1 s' }),
    pick('http: of which POST -> revision accepted', 'ms', (b) => b.webhookToAccepted),
    pick(`http: GET /api/v1/hosts p99 during ${cur!.hosts}-host reconciles`, 'ms', (b) => b.samples.reconcilesP99, { max: 50, text: 'under 50 ms' }),
    pick('http: GET /api/v1/hosts p99 during syncs (no new revision)', 'ms', (b) => b.samples.syncsP99),
    pick('http: GET /api/v1/hosts p99, controller idle', 'ms', (b) => b.samples.idleP99),
    pick(`http: controller CPU per 1,000 GET /api/v1/hosts (${cur!.hosts} hosts, idle)`, 'ms', (b) => b.samples.cpuPer1000),
  ];
}
