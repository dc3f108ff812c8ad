/**
 * Renders plans for people, like `terraform plan`: per host the steps that change, with
 * reasons and unified diffs of file contents (secrets masked, binary summarised, long diffs
 * cut), then a summary table. Pure: strings in, string out.
 */
import { createTwoFilesPatch } from 'diff';
import type { FileTexts, HostFailure, Plan, PlanStep } from '../reconcile/types.js';

/** What the renderer needs of a planned host (HostPlanResult fits). */
export type PlanView =
  | { host: string; address: string; plan: Plan; texts?: Record<string, FileTexts> }
  | { host: string; address: string; error: HostFailure };
import { renderTable } from './table.js';
import { failureWord } from './render-apply.js';
import { escapeControl as safe } from './terminal-text.js';

export interface RenderOptions {
  color: boolean;
  /** Diff lines shown per file before the rest is cut (default 60). */
  maxDiffLines?: number;
}

const SECRET_PLACEHOLDER = /\{\{drover-secret:[A-Za-z0-9_.-]+\}\}/g;
const SYMBOL: Record<string, string> = { create: '+', update: '~', delete: '-', none: ' ' };
const COLOR: Record<string, string> = { '+': '32', '~': '33', '-': '31', '?': '36', '!': '31' };

function paint(text: string, symbol: string, color: boolean): string {
  const code = COLOR[symbol];
  return color && code ? `\x1b[${code}m${text}\x1b[0m` : text;
}

/** Masks secret placeholders so no secret-bearing line shows a value. */
export function maskSecrets(text: string): string {
  return text.replace(SECRET_PLACEHOLDER, '(secret)');
}

/** Past this many differing lines (the edit distance) no diff is computed or shown. */
export const MAX_EDIT_LINES = 300;

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
  const head = plan.inSync
    ? `  ${plan.host} (${result.address}): in sync (${s.unchanged} resources)`
    : `~ ${plan.host} (${result.address}): ${s.create} to create, ${s.update} to update, ${s.delete} to delete${s.mayChange ? `, ${s.mayChange} may change` : ''}, ${s.unchanged} unchanged`;
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

function renderContent(step: PlanStep, texts: FileTexts | undefined, options: RenderOptions): string[] {
  const content = step.content;
  if (!content || content.before === content.after) return [];
  const indent = (l: string): string => `          ${l}`;
  if (content.binary) return [indent(`(binary content: sha256 ${content.before?.slice(0, 8) ?? 'none'} -> ${content.after.slice(0, 8)})`)];
  if (!texts) return [];
  // An existing file whose text was not fetched (too large, unreadable) must not diff as if it were empty.
  if (texts.before === undefined && content.before !== undefined) return [indent('(no diff: the current content was not fetched)')];
  const path = step.resource.replace(/^file:/, '');
  const patch = createTwoFilesPatch(`${path} (host)`, `${path} (desired)`, maskSecrets(texts.before ?? ''), maskSecrets(texts.after), undefined, undefined,
    { context: 3, maxEditLength: MAX_EDIT_LINES });
  // Diffing texts that differ everywhere costs O(n * d); past the cap nobody reads the diff anyway.
  if (patch === undefined) return [indent(`(diff not shown: more than ${MAX_EDIT_LINES} lines differ)`)];
  // Escaped line by line (after the diff, so a lone \r still differs): only drover's colors reach the terminal.
  const lines = patch.split('\n').slice(1).filter((l) => l !== '' && !l.startsWith('\\ No newline')).map(safe);
  const header = lines.slice(0, 2);
  const body = content.secrets.length > 0 ? hideSecretChanges(lines.slice(2)) : lines.slice(2);
  if (!body.some((l) => /^[+-]/.test(l))) return content.secrets.length > 0 ? [indent('(secret changed)')] : [];
  const max = options.maxDiffLines ?? 60;
  const shown = [...header.map(indent), ...body.slice(0, max).map((l) => indent(paint(l, l.charAt(0), options.color)))];
  if (body.length > max) shown.push(indent(`... ${body.length - max} more diff lines hidden`));
  return shown;
}

/**
 * The host's old text holds placeholders only where it held the current secret values; a changed
 * block whose new side gets a secret while its old side has no placeholder may show an old secret
 * in clear, so that block becomes one `(secret changed)` line.
 */
function hideSecretChanges(hunks: string[]): string[] {
  const out: string[] = [];
  let block: string[] = [];
  const flush = (): void => {
    const risky = block.some((l) => l.startsWith('+') && l.includes('(secret)')) && block.some((l) => l.startsWith('-') && !l.includes('(secret)'));
    out.push(...(risky ? ['(secret changed)'] : block));
    block = [];
  };
  for (const line of hunks) {
    if (/^[+-]/.test(line)) {
      block.push(line);
      continue;
    }
    flush();
    out.push(line);
  }
  flush();
  return out;
}

/** Renders the summary table of all hosts. */
export function renderSummary(results: PlanView[]): string {
  const rows = results.map((r) => {
    if ('error' in r) return [r.host, failureWord(r.error), '-', '-', '-', '-', r.error.code];
    const s = r.plan.summary;
    return [r.host, r.plan.inSync ? 'in sync' : 'drift', String(s.create), String(s.update), String(s.delete), String(s.unchanged), s.mayChange ? `${s.mayChange} may change` : ''];
  });
  return renderTable(['HOST', 'STATUS', 'CREATE', 'UPDATE', 'DELETE', 'UNCHANGED', 'NOTE'], rows.map((row) => row.map(safe)));
}
