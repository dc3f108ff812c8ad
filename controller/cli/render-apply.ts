/** Renders apply results for people: per host what changed, failed or was restored, then a summary table. */
import type { HostApplyResult } from '../reconcile/types.js';
import { renderTable } from './table.js';

/** One section per host that did something, failed or could not be reached. */
export function renderApplyResult(r: HostApplyResult): string {
  if ('error' in r) return `! ${r.host} (${r.address}): ${r.error.unreachable ? 'unreachable' : 'failed'}: ${r.error.message}`;
  if (!r.apply) return `  ${r.host} (${r.address}): in sync, nothing to do`;
  const a = r.apply;
  const changed = a.steps.filter((s) => s.status === 'changed');
  const head = a.ok
    ? `${r.verify?.inSync === false ? '!' : '✓'} ${r.host} (${r.address}): ${changed.length} step${changed.length === 1 ? '' : 's'} changed in ${(r.durationMs / 1000).toFixed(1)} s${r.verify?.inSync === false ? ', but a new observation still shows drift' : ''}`
    : `✗ ${r.host} (${r.address}): failed`;
  const lines = [head];
  for (const s of a.steps) {
    if (s.status === 'unchanged' || s.status === 'skipped') continue;
    lines.push(`    ${s.status.padEnd(9)} ${s.name}`);
    if (s.status === 'failed' && s.stderr) lines.push(...s.stderr.trimEnd().split('\n').slice(-8).map((l) => `        | ${l}`));
  }
  if (a.restored.length > 0) lines.push(`    restored from backup: ${a.restored.join(', ')}`);
  if (a.notRestored.length > 0) lines.push(`    COULD NOT RESTORE (check by hand): ${a.notRestored.join(', ')}`);
  for (const k of a.publicKeys) lines.push(`    public key ${k.path}: ${k.publicKey}`);
  if (r.verify && !r.verify.inSync) {
    for (const s of r.verify.steps.filter((x) => x.action !== 'none')) lines.push(`    still differs: ${s.name}: ${s.reasons.join('; ')}`);
  }
  return lines.join('\n');
}

/** The summary table of an apply run. */
export function renderApplySummary(results: HostApplyResult[]): string {
  const rows = results.map((r) => {
    if ('error' in r) return [r.host, r.error.unreachable ? 'unreachable' : 'failed', '-', '-', '-', r.error.code];
    if (!r.apply) return [r.host, 'in sync', '0', '0', '0', ''];
    const count = (status: string): string => String(r.apply?.steps.filter((s) => s.status === status).length ?? 0);
    const status = !r.apply.ok ? 'failed' : r.verify?.inSync === false ? 'drift' : 'converged';
    return [r.host, status, count('changed'), count('failed'), String(r.apply.restored.length), ''];
  });
  return renderTable(['HOST', 'STATUS', 'CHANGED', 'FAILED', 'RESTORED', 'NOTE'], rows);
}

/** True when the host ended converged (or was in sync already). */
export function hostSucceeded(r: HostApplyResult): boolean {
  return !('error' in r) && (r.apply === undefined || (r.apply.ok && r.verify?.inSync !== false));
}
