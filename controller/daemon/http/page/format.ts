/** Small formatting helpers of the status page (pure). */
import { parseRevisionName } from '../../../source/index.js';

/** `main@sha1:0123456789...` -> `main@0123456` (full value kept for the title attribute). */
export function shortRevision(revision: string | undefined): string {
  if (!revision) return '-';
  const parsed = parseRevisionName(revision);
  return parsed ? `${parsed.ref ? `${parsed.ref}@` : ''}${parsed.commit.slice(0, 7)}` : revision;
}

/** "12s ago", "5m ago", "3h ago", "2d ago"; "-" without a time. */
export function ago(at: number | undefined, now: number): string {
  if (at === undefined) return '-';
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** ISO time without milliseconds, UTC. */
export function isoTime(at: number | undefined): string {
  return at === undefined ? '-' : new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Resources that differ in the host's last plan: to create, update or delete (0 in sync or never planned). */
export function driftCount(plan: { inSync: boolean; counts: Record<string, number> } | undefined): number {
  if (!plan || plan.inSync) return 0;
  return (plan.counts.create ?? 0) + (plan.counts.update ?? 0) + (plan.counts.delete ?? 0) + (plan.counts.mayChange ?? 0);
}
