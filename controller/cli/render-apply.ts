/** Renders apply results for people: per host what changed, failed or was restored, then a summary table. */
import { applyFailureSummary } from '../reconcile/failure.js';
import type { HostFailure, HostResult, StepResult } from '../reconcile/types.js';
import { renderTable } from './table.js';

/**
 * One word for a host that could not be worked on: `unreachable` (the network), `refused` (it answered but
 * its host key or our credentials were not accepted: a human must look), else `failed`.
 */
export function failureWord(error: HostFailure): string {
  if (error.unreachable) return 'unreachable';
  return REFUSED.has(error.code) ? 'refused' : 'failed';
}

const REFUSED = new Set(['E_HOST_KEY_MISMATCH', 'E_HOST_KEY_UNKNOWN', 'E_AUTH']);

/**
 * Whether a failed result is shown by its steps (a step or check failed, or the host did not converge)
 * rather than by its error alone (not reached, connection lost mid-apply, rolled back).
 */
function shownBySteps(r: HostResult): boolean {
  return r.apply !== undefined && r.error?.code !== 'E_ROLLED_BACK';
}

/** One section per host that did something, failed or could not be reached. */
export function renderApplyResult(r: HostResult): string {
  return [renderRun(r), ...rebootLines(r)].join('\n');
}

/** What a host's need for a reboot came to: reported, held (auto, but not now) or done. */
function rebootLines(r: HostResult): string[] {
  const reboot = r.reboot;
  if (!reboot) return [];
  const why = reboot.reasons.join('; ');
  if (reboot.action === 'report') return [`    reboot required: ${why} (reboot: report; reboot it by hand, or set reboot: auto)`];
  if (reboot.action === 'hold') return [`    reboot required: ${why} (reboot: auto, but this run may not reboot it: a plan-only run)`];
  const back = reboot.to ? `, back with boot id ${reboot.to}` : ', not back';
  return [`    rebooted: ${why}${back}`];
}

function renderRun(r: HostResult): string {
  if (r.error && !shownBySteps(r)) {
    const output = r.error.code === 'E_ROLLED_BACK' ? outputLines(r.error.stderrTail) : [];
    return [`! ${r.host} (${r.address}): ${failureWord(r.error)}: ${r.error.message}`, ...output].join('\n');
  }
  if (r.outcome === 'held') return `~ ${r.host} (${r.address}): not applied: ${r.held ?? ''}`;
  if (!r.apply) return `  ${r.host} (${r.address}): in sync, nothing to do`;
  const a = r.apply;
  const lines = [head(r, a)];
  for (const s of a.steps) {
    if (s.status === 'skipped') continue;
    const test = s.resource.startsWith('test:');
    if (s.status === 'unchanged' && !test) continue;
    const word = test && s.status === 'unchanged' ? 'passed' : s.status;
    lines.push(`    ${word.padEnd(9)} ${s.name}${s.status === 'failed' && s.exitCode !== undefined ? ` (exit ${s.exitCode})` : ''}`);
    if (s.status === 'failed') lines.push(...outputLines(s.stderr));
  }
  if (a.restored.length > 0) lines.push(`    restored from backup: ${a.restored.join(', ')}`);
  if (a.notRestored.length > 0) lines.push(`    COULD NOT RESTORE (check by hand): ${a.notRestored.join(', ')}`);
  for (const k of a.publicKeys) lines.push(`    public key ${k.path}: ${k.publicKey}`);
  if (r.verify && !r.verify.inSync) {
    for (const s of r.verify.steps.filter((x) => x.action !== 'none')) lines.push(`    still differs: ${s.name}: ${s.reasons.join('; ')}`);
  }
  return lines.join('\n');
}

/** The last lines of a step's output, indented under it. */
function outputLines(output: string | undefined): string[] {
  return output ? output.trimEnd().split('\n').slice(-8).map((l) => `        | ${l}`) : [];
}

function head(r: HostResult, a: NonNullable<HostResult['apply']>): string {
  const where = `${r.host} (${r.address})`;
  if (!a.ok) return `✗ ${where}: failed: ${applyFailureSummary(a)}`;
  const tests = a.steps.filter((s) => s.resource.startsWith('test:') && s.status === 'unchanged').length;
  if (r.plan?.inSync && countChanged(a.steps) === 0) return `✓ ${where}: in sync${tests > 0 ? `, ${tests} test${tests === 1 ? '' : 's'} passed` : ''}`;
  const changed = countChanged(a.steps);
  const drift = r.error?.code === 'E_NOT_CONVERGED';
  return `${drift ? '!' : '✓'} ${where}: ${changed} step${changed === 1 ? '' : 's'} changed in ${(r.durationMs / 1000).toFixed(1)} s${drift ? ', but a new observation still shows drift' : ''}`;
}

function countChanged(steps: StepResult[]): number {
  return steps.filter((s) => s.status === 'changed').length;
}

/** The summary table of an apply run. */
export function renderApplySummary(results: HostResult[]): string {
  const rows = results.map((r) => {
    if (r.error && !shownBySteps(r)) return [r.host, failureWord(r.error), '-', '-', '-', r.error.code];
    if (r.outcome === 'held') return [r.host, 'held', '0', '0', '0', (r.held ?? '').split(':')[0]!];
    if (!r.apply) return [r.host, 'in sync', '0', '0', '0', ''];
    const count = (status: string): string => String(r.apply?.steps.filter((s) => s.status === status).length ?? 0);
    const status = !r.apply.ok ? 'failed' : r.error?.code === 'E_NOT_CONVERGED' ? 'drift' : r.plan?.inSync && count('changed') === '0' ? 'in sync' : 'converged';
    return [r.host, status, count('changed'), count('failed'), String(r.apply.restored.length), r.apply.ok ? '' : applyFailureSummary(r.apply)];
  });
  return renderTable(['HOST', 'STATUS', 'CHANGED', 'FAILED', 'RESTORED', 'NOTE'], rows);
}
