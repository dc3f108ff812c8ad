/**
 * `drover plan` output beyond the plain plan: `-o markdown` (the pull-request comment of
 * reconcile/preview/markdown.ts) and, with `--base`, text and JSON that show the previewed revision's
 * own changes apart from drift it does not touch. Pure but for printing.
 */
import type { DesiredState } from '../../manifests/types.js';
import { desiredChange, splitPlan, type DesiredChange } from '../reconcile/preview/desired-change.js';
import { removedHostPreview, toHostPreview } from '../reconcile/preview/host-preview.js';
import { renderPreviewMarkdown } from '../reconcile/preview/markdown.js';
import type { HostPlanResult, PlannedHost } from '../reconcile/types.js';
import { type CliIo, println, useColor } from './io.js';
import { renderHostPlan } from './render-plan.js';
import { failureWord } from './render-apply.js';
import { renderTable } from './table.js';
import { escapeControl as safe } from './terminal-text.js';

/** What a plan report shows besides the results. */
export interface PlanReport {
  /** What was planned: `the working tree`, or the ref. */
  title: string;
  /** The commit's revision name, for a ref. */
  revision?: string;
  /** The revision compared with: how to name it, and its hosts. */
  base?: { label: string; hosts: ReadonlyMap<string, DesiredState> };
  /** The planned revision's desired states of the planned hosts, by name. */
  desired: ReadonlyMap<string, DesiredState>;
  /** Base hosts the planned revision dropped (empty unless every host was planned). */
  removed: string[];
  exitCode: number;
}

/** Prints `results` as markdown, or (with a base) as text or JSON that split each host's changes. */
export function printPlanReport(io: CliIo, results: HostPlanResult[], report: PlanReport, output: 'text' | 'json' | 'markdown'): void {
  const changes = new Map(results.map((r) => [r.host, changeOf(r.host, report)]));
  if (output === 'markdown') {
    const hosts = [...results.map((r) => toHostPreview(r, changes.get(r.host))), ...(report.base ? report.removed.map(removedHostPreview) : [])];
    io.stdout.write(renderPreviewMarkdown({ title: report.title, ...(report.revision ? { revision: report.revision } : {}), ...(report.base ? { base: report.base.label } : {}), hosts }));
    return;
  }
  if (output === 'json') println(io, JSON.stringify(jsonReport(results, changes, report), null, 2));
  else printSplit(io, results, changes, report);
}

function changeOf(host: string, report: PlanReport): DesiredChange | undefined {
  const head = report.desired.get(host);
  return report.base && head ? desiredChange(report.base.hosts.get(host), head) : undefined;
}

function jsonReport(results: HostPlanResult[], changes: Map<string, DesiredChange | undefined>, report: PlanReport): object {
  const hosts = results.map((r) => {
    const change = changes.get(r.host)!;
    if ('error' in r) return { host: r.host, address: r.address, error: r.error, durationMs: r.durationMs, change: { change: change.change, resources: change.resources, other: change.other } };
    const { own, drift } = splitPlan(r.plan, change);
    const names = (p: typeof own): string[] => p.steps.filter((s) => s.action !== 'none' || s.mayChange !== undefined).map((s) => s.name);
    return { host: r.host, address: r.address, plan: r.plan, durationMs: r.durationMs, change: { change: change.change, resources: change.resources, other: change.other, steps: names(own), drift: names(drift) } };
  });
  return { ref: report.title, ...(report.revision ? { revision: report.revision } : {}), base: report.base?.label, hosts, removedHosts: report.removed, exitCode: report.exitCode };
}

function printSplit(io: CliIo, results: HostPlanResult[], changes: Map<string, DesiredChange | undefined>, report: PlanReport): void {
  const color = useColor(io);
  const planned = results.filter((r): r is PlannedHost => 'plan' in r);
  const split = new Map(planned.map((r) => [r.host, splitPlan(r.plan, changes.get(r.host)!)]));
  const changed = planned.filter((r) => changes.get(r.host)!.change !== 'unchanged');
  println(io, safe(`Changes of ${report.title} compared with ${report.base!.label}:`));
  for (const r of changed) println(io, renderHostPlan({ host: r.host, address: r.address, plan: split.get(r.host)!.own, ...(r.texts ? { texts: r.texts } : {}) }, { color }));
  for (const host of report.removed) println(io, safe(`- ${host}: not in ${report.title}; drover leaves it alone from then on`));
  if (changed.length === 0 && report.removed.length === 0) println(io, safe(`  none: ${report.title} changes no planned host`));
  println(io);
  println(io, safe(`Drift ${report.title} does not touch (the hosts differ from their manifests already):`));
  const drifting = planned.filter((r) => !split.get(r.host)!.drift.inSync);
  for (const r of drifting) println(io, renderHostPlan({ host: r.host, address: r.address, plan: split.get(r.host)!.drift, ...(r.texts ? { texts: r.texts } : {}) }, { color }));
  if (drifting.length === 0) println(io, '  none');
  for (const r of results.filter((x) => 'error' in x)) println(io, renderHostPlan(r, { color }));
  println(io);
  println(io, renderTable(['HOST', 'THIS REVISION', 'STATUS', 'ITS STEPS', 'DRIFT STEPS'], results.map((r) => {
    const change = changes.get(r.host)!.change;
    if ('error' in r) return [r.host, change, failureWord(r.error), '-', '-'];
    const { own, drift } = split.get(r.host)!;
    const count = (p: typeof own): string => String(p.steps.filter((s) => s.action !== 'none' || s.mayChange !== undefined).length);
    return [r.host, change, r.plan.inSync ? 'in sync' : 'drift', count(own), count(drift)];
  }).map((row) => row.map(safe))));
}
