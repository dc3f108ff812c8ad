/**
 * Renders plans for people, like `terraform plan`: per host the steps that change, with
 * reasons and unified diffs of file contents (secrets masked, binary summarised, long diffs
 * cut), then a summary table. Pure: strings in, string out.
 */
import { fileDiffLines } from '../reconcile/file-diff.js';
import type { FileTexts, HostFailure, Plan, PlanStep } from '../reconcile/types.js';
import { renderTable } from './table.js';
import { failureWord } from './render-apply.js';
import { escapeControl as safe } from './terminal-text.js';

/** What the renderer needs of a planned host (HostPlanResult fits). */
export type PlanView =
  | { host: string; address: string; plan: Plan; texts?: Record<string, FileTexts> }
  | { host: string; address: string; error: HostFailure };

export interface RenderOptions {
  color: boolean;
  /** Diff lines shown per file before the rest is cut (default 60). */
  maxDiffLines?: number;
}

const SYMBOL: Record<string, string> = { create: '+', update: '~', delete: '-', none: ' ' };
const COLOR: Record<string, string> = { '+': '32', '~': '33', '-': '31', '?': '36', '!': '31' };

function paint(text: string, symbol: string, color: boolean): string {
  const code = COLOR[symbol];
  return color && code ? `\x1b[${code}m${text}\x1b[0m` : text;
}

/** Why a host has no plan: `not observed` (unreachable), `refused` (host key, credentials), else `not planned`. */
function notPlanned(error: HostFailure): string {
  const word = failureWord(error);
  return word === 'unreachable' ? 'not observed' : word === 'refused' ? 'refused' : 'not planned';
}

/** Renders one host's plan section. */
export function renderHostPlan(result: PlanView, options: RenderOptions): string {
  if ('error' in result) {
    return paint(safe(`! ${result.host} (${result.address}): ${notPlanned(result.error)}: ${result.error.message}`), '!', options.color);
  }
  const { plan } = result;
  const s = plan.summary;
  const reported = s.reported ? `; ${s.reported} reported, not changed` : '';
  const head = plan.inSync
    ? `  ${plan.host} (${result.address}): in sync (${s.unchanged} resources)${reported}`
    : `~ ${plan.host} (${result.address}): ${s.create} to create, ${s.update} to update, ${s.delete} to delete${s.mayChange ? `, ${s.mayChange} may change` : ''}, ${s.unchanged} unchanged${reported}`;
  const lines = [paint(safe(head), plan.inSync ? ' ' : '~', options.color)];
  const shown = plan.steps.filter((step) => step.action !== 'none' || step.mayChange);
  // Step names carry whole paths: the reasons start in one column per host, past its longest name.
  const width = Math.max(30, ...shown.map((step) => step.name.length));
  let group = '';
  for (const step of shown) {
    if (step.group !== group) {
      group = step.group;
      lines.push(`    ${safe(group)}`);
    }
    lines.push(...renderStep(step, result.texts?.[step.resource], { ...options, width }));
  }
  return lines.join('\n');
}

function renderStep(step: PlanStep, texts: FileTexts | undefined, options: RenderOptions & { width: number }): string[] {
  const symbol = step.mayChange !== undefined && step.reasons.length === 0 ? '?' : (SYMBOL[step.action] ?? ' ');
  const why = [...step.reasons, ...(step.mayChange ? [`may change: ${step.mayChange}`] : [])].join('; ');
  const lines = [paint(safe(`      ${symbol} ${step.name.padEnd(options.width)} ${why}`), symbol, options.color)];
  if (step.phase === 'regen' && step.content && step.action !== 'delete') lines.push(...renderContent(step, texts, options));
  return lines;
}

/**
 * The file's diff as reconcile/file-diff.ts computes it for the API too (masked, capped, cut), escaped
 * line by line so only drover's colours reach the terminal, indented, and coloured past its header.
 */
function renderContent(step: PlanStep, texts: FileTexts | undefined, options: RenderOptions): string[] {
  const lines = fileDiffLines(step, texts, options.maxDiffLines === undefined ? {} : { maxLines: options.maxDiffLines }).map(safe);
  const headed = lines[0]?.startsWith('--- ') === true;
  return lines.map((l, i) => `          ${headed && i >= 2 ? paint(l, l.charAt(0), options.color) : l}`);
}

/** Renders the summary table of all hosts. */
export function renderSummary(results: PlanView[]): string {
  const rows = results.map((r) => {
    if ('error' in r) return [r.host, failureWord(r.error), '-', '-', '-', '-', r.error.code];
    const s = r.plan.summary;
    const notes = [s.mayChange ? `${s.mayChange} may change` : '', s.reported ? `${s.reported} reported` : ''].filter(Boolean).join(', ');
    return [r.host, r.plan.inSync ? 'in sync' : 'drift', String(s.create), String(s.update), String(s.delete), String(s.unchanged), notes];
  });
  return renderTable(['HOST', 'STATUS', 'CREATE', 'UPDATE', 'DELETE', 'UNCHANGED', 'NOTE'], rows.map((row) => row.map(safe)));
}
