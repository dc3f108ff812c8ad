/**
 * What the controller reports: one event type per thing a person may want to hear about, as kept in
 * the event log (GET /api/v1/events) and sent to notification targets. The shape is documented by
 * schema/event.schema.json (a test checks every event against it) and docs/report.md.
 */

/** Every event type, in the order docs/report.md lists them. */
export const EVENT_TYPES = [
  'revision.accepted', 'revision.rejected', 'revision.finished',
  'host.failed', 'host.rolledBack', 'host.unreachable', 'host.driftRepaired', 'host.conflict',
  'rollout.halted', 'rollout.resumed',
  'run.finished', 'sync.requested', 'host.suspended', 'host.resumed',
] as const;

/** One of EVENT_TYPES. */
export type EventType = (typeof EVENT_TYPES)[number];

/** What notification targets get unless their `events` say otherwise: all but the audit trail and every run. */
export const DEFAULT_NOTIFIED: readonly EventType[] = EVENT_TYPES.filter((t) => !['run.finished', 'sync.requested', 'host.suspended', 'host.resumed'].includes(t));

/** How a revision ended for this controller's hosts (`superseded`: a newer one came before it ended). */
export type RevisionState = 'success' | 'failure' | 'superseded';

/** Hosts per outcome at a revision (see revision-outcome.ts). */
export interface OutcomeCounts {
  total: number;
  synced: number;
  failed: number;
  rolledBack: number;
  unreachable: number;
  halted: number;
  /** Held by `after:` for hosts that failed (or are suspended): nothing will run them at this revision. */
  blocked: number;
  suspended: number;
  pending: number;
}

/** The fields of each event type (besides seq, at, type). */
export interface EventFields {
  'revision.accepted': { revision: string; commit: string };
  'revision.rejected': { revision: string; commit: string; problems: string[]; problemCount: number };
  'revision.finished': { revision: string; commit: string; state: RevisionState; description: string; counts: OutcomeCounts; failedHosts: string[] };
  'host.failed': { host: string; revision: string; code: string; message: string; step?: string };
  'host.rolledBack': { host: string; revision: string; code: string; message: string; step?: string };
  'host.unreachable': { host: string; revision: string; code: string; message: string };
  'host.driftRepaired': { host: string; revision: string; changedSteps: string[] };
  'host.conflict': { host: string; revision: string; runId: string; resource: string; code: string; message: string; repairs: number[] };
  'rollout.halted': { lane: string; revision: string; wave: string; reason: string };
  'rollout.resumed': { lane: string; revision: string; wave: string; actor?: string };
  'run.finished': {
    host: string; revision: string; runId: string; trigger: string; dryRun: boolean; result: string;
    changedSteps: string[]; durationMs: number; code?: string; actor?: string;
  };
  'sync.requested': { runId: string; hosts: string[]; hostCount: number; dryRun: boolean; trigger: string; actor?: string };
  'host.suspended': { host: string; actor?: string };
  'host.resumed': { host: string; actor?: string };
}

/** An event before the log numbers it. */
export type NewEvent = { [T in EventType]: { type: T } & EventFields[T] }[EventType];

/** An event as kept: `seq` grows by one per event and is never reused (the paging cursor), `at` is epoch ms. */
export type DroverEvent = NewEvent & { seq: number; at: number };

/** Longest text kept in an event field (error messages are cut: the host's record keeps them whole). */
export const MAX_TEXT = 500;

/** `text` cut to MAX_TEXT characters. */
export function clip(text: string, max = MAX_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** True when `type` names an event type. */
export function isEventType(type: string): type is EventType {
  return (EVENT_TYPES as readonly string[]).includes(type);
}
