/**
 * The pieces of a preview's markdown (pure): headline, problems, summary, table rows and each host's
 * collapsed block. markdown.ts puts them together within a size.
 */
import { code, count, fenced, firstOf, html, inline } from './markdown-text.js';
import type { HostPreview, PreviewReport, PreviewStep, PreviewSteps } from './types.js';

/** Step names shown in one table cell before `+N more`. */
const STEPS_PER_CELL = 8;

/** The heading, the revision and base lines, and what stopped the preview (an error, problems). */
export function titleLines(report: PreviewReport): string[] {
  const lines = [`### drover preview of ${code(report.title)}`, ''];
  const at = report.revision ? `Revision ${code(report.revision)}` : '';
  const base = report.base ? `changes compared with ${code(report.base)}` : '';
  if (at || base) lines.push(`${[at, base].filter(Boolean).join(', ')}.`, '');
  if (report.unfinished) lines.push(`**Not done yet**: the preview is ${inline(report.unfinished)}; ask again in a moment.`);
  if (report.error) lines.push(`**The preview failed** (${code(report.error.code)}): ${inline(report.error.message)}`);
  const n = report.problems?.length ?? 0;
  if (n > 0) lines.push(`**The revision is invalid** (${count(n, 'problem')}); no host was planned:`, '');
  return lines;
}

/** One list item per validation problem (`file:line:col  path  message`). */
export function problemLines(report: PreviewReport): string[] {
  return (report.problems ?? []).map((p) => `- ${code(p)}`);
}

/** One line: how many hosts would change, from the revision or drift, failed, and in all. */
export function summaryLine(report: PreviewReport): string {
  const hosts = report.hosts;
  const failed = hosts.filter((h) => h.result === 'failed' || h.result === 'unreachable').length;
  const tail = [
    ...(failed ? [`**${count(failed, 'host')} could not be planned**`] : []),
    `${count(hosts.filter((h) => h.result !== 'removed').length, 'host')} in all`,
  ];
  if (report.base === undefined) {
    const changing = hosts.filter((h) => h.steps.length > 0);
    const steps = changing.reduce((n, h) => n + h.steps.length, 0);
    const head = changing.length ? `**${count(changing.length, 'host')} would change** (${count(steps, 'step')})` : 'No host would change';
    return `${[head, ...tail].join(', ')}.`;
  }
  const changed = hosts.filter((h) => h.change === 'added' || h.change === 'changed');
  const steps = changed.reduce((n, h) => n + h.steps.length, 0);
  const removed = hosts.filter((h) => h.change === 'removed').length;
  const drifting = hosts.filter((h) => (h.drift?.steps.length ?? 0) > 0).length;
  const head = changed.length ? `**This revision changes ${count(changed.length, 'host')}** (${count(steps, 'step')} would change)` : 'This revision changes no host';
  return `${[head, ...(removed ? [`removes ${count(removed, 'host')} from the inventory`] : []),
    ...(drifting ? [`${count(drifting, 'host')} with drift it does not touch`] : []), ...tail].join(', ')}.`;
}

/** The table's header and alignment rows. */
export function tableHead(withBase: boolean): string[] {
  return withBase
    ? ['| Host | This revision | Result | Steps from this revision | Drift it does not touch |', '|---|---|---|---|---|']
    : ['| Host | Result | Steps that would change |', '|---|---|---|'];
}

/** One host's table row. */
export function hostRow(host: HostPreview, withBase: boolean): string {
  const steps = cell(host.steps);
  if (!withBase) return `| ${code(host.host)} | ${resultWord(host)} | ${steps} |`;
  return `| ${code(host.host)} | ${CHANGE_WORDS[host.change ?? 'unchanged']} | ${resultWord(host)} | ${steps} | ${cell(host.drift?.steps ?? [])} |`;
}

const CHANGE_WORDS: Record<NonNullable<HostPreview['change']>, string> = { added: 'new host', changed: 'changed', unchanged: '—', removed: 'removed' };

function resultWord(host: HostPreview): string {
  if (host.error) return `${host.result} (${code(host.error.code)})`;
  if (host.result === 'removed') return 'left alone from now on';
  if (host.result === 'in-sync') return 'in sync';
  return host.steps.length === 0 && (host.drift?.steps.length ?? 0) > 0 ? 'drift only' : 'would change';
}

function cell(steps: PreviewStep[]): string {
  return steps.length === 0 ? '—' : firstOf(steps.map((s) => code(s.name)), STEPS_PER_CELL);
}

/**
 * A host's collapsed block: its steps with their reasons and its diffs (`withDiffs`), the drift the
 * revision does not touch apart, or its error. Undefined for a host with none of these.
 */
export function hostBlock(host: HostPreview, options: { withDiffs: boolean }): string | undefined {
  const drift = host.drift?.steps.length ? host.drift : undefined;
  if (!host.error && host.steps.length === 0 && !drift) return undefined;
  const summary = host.error
    ? `${html(host.host)}: ${host.result} (${html(host.error.code)})`
    : `${html(host.host)}: ${[host.steps.length ? count(host.steps.length, 'step') + ' would change' : '', drift ? `${count(drift.steps.length, 'step')} of drift` : ''].filter(Boolean).join(', ')}`;
  const body = host.error ? [inline(host.error.message)] : [
    ...(host.steps.length ? stepsSection(host, options.withDiffs) : []),
    ...(drift ? [`Drift this revision does not touch (the host differs from its manifests already):`, '', ...stepsSection(drift, options.withDiffs)] : []),
  ];
  return ['<details>', `<summary>${summary}</summary>`, '', ...body, '</details>', ''].join('\n');
}

function stepsSection(part: PreviewSteps, withDiffs: boolean): string[] {
  const items = part.steps.map((s) => `- ${code(s.name)} ${s.action}: ${inline([...s.reasons, ...(s.mayChange ? [`may change: ${s.mayChange}`] : [])].join('; '))}`);
  const diff = part.diff.length === 0 ? [] : withDiffs ? [fenced(part.diff, 'diff'), ''] : ['_(the diff is left out to fit the comment)_', ''];
  return [...items, '', ...diff];
}
