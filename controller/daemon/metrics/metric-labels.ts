/**
 * The closed sets of label values drover's metrics may carry. Every label except `host` and
 * `revision` takes its value from one of these lists, so the number of series stays bounded
 * whatever the controller is fed (an unknown value is folded into `other`). The lists follow the
 * contracts in docs/controller-design.md.
 */

import { HOST_STATUSES, type RunResult, type Trigger } from '../state/records.js';

/** Host statuses, exported one-hot by `drover_host_status` (records.ts). */
export { HOST_STATUSES };

/** Outcomes of one host run (RunRecord.result). */
export const RECONCILE_RESULTS = ['in-sync', 'drift', 'applied', 'failed', 'unreachable', 'interrupted'] as const satisfies readonly RunResult[];
export type ReconcileResult = RunResult;

/** What started a run or a sync request (Trigger). */
export const TRIGGERS = ['revision', 'drift', 'manual', 'webhook', 'retry', 'startup'] as const satisfies readonly Trigger[];
export type MetricTrigger = Trigger;

// Compile-time checks that the lists above name every value of their types.
type Covers<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : false;
const coversResults: Covers<RunResult, (typeof RECONCILE_RESULTS)[number]> = true;
const coversTriggers: Covers<Trigger, (typeof TRIGGERS)[number]> = true;
void coversResults;
void coversTriggers;

/**
 * Phases timed by `drover_reconcile_duration_seconds`; `total` is the whole run. Connecting is not
 * a phase here: warm runs reuse a connection, and new ones are timed by `drover_ssh_connect_duration_seconds`.
 */
export const RECONCILE_PHASES = ['observe', 'plan', 'apply', 'verify', 'total'] as const;
export type ReconcilePhase = (typeof RECONCILE_PHASES)[number];

/** Results of a source fetch. */
export const FETCH_RESULTS = ['success', 'failure'] as const;

/** Resource kinds (manifests/types.ts ResourceKind) plus `other`. */
export const RESOURCE_KINDS = [
  'package', 'file', 'directory', 'symlink', 'line', 'user', 'group',
  'service', 'command', 'git', 'secret', 'ssh_key', 'cron', 'sysctl', 'other',
] as const;

/** Plan actions that change something (plan/types.ts Action without `none`). */
export const CHANGE_ACTIONS = ['create', 'update', 'delete'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

/**
 * SSH error reasons: the transport's error codes (controller/transport/types.ts) without `E_`,
 * lower-cased, plus `other` for anything else.
 */
export const SSH_ERROR_REASONS = [
  'connect_refused', 'connect_timeout', 'auth', 'host_key_unknown', 'host_key_mismatch',
  'connection_lost', 'command_timeout', 'unreachable', 'ssh_protocol', 'other',
] as const;


/** Webhook providers (the /hooks/<provider> routes). */
export const WEBHOOK_PROVIDERS = ['github', 'gitlab', 'generic'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

/**
 * Webhook outcomes: accepted (verified, a fetch was asked for), ignored (verified, but for another
 * ref or event), unauthorized (signature or token wrong or missing), invalid (malformed request).
 */
export const WEBHOOK_RESULTS = ['accepted', 'ignored', 'unauthorized', 'invalid'] as const;
export type WebhookResult = (typeof WEBHOOK_RESULTS)[number];

/** `value` when it is one of `allowed`, else `other` (the caller's list must hold `other`). */
export function boundedLabel<T extends string>(allowed: readonly T[], value: string): T {
  return (allowed as readonly string[]).includes(value) ? (value as T) : ('other' as T);
}

/** The `reason` label for a transport error code: `E_CONNECT_REFUSED` -> `connect_refused`; unknown -> `other`. */
export function sshErrorReason(code: string): (typeof SSH_ERROR_REASONS)[number] {
  return boundedLabel(SSH_ERROR_REASONS, code.replace(/^E_/, '').toLowerCase());
}

/** Throws a TypeError naming the metric when `value` is not in `allowed` (a caller bug, not input). */
export function requireLabel<T extends string>(metric: string, allowed: readonly T[], value: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new TypeError(`${metric}: label value ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
}
