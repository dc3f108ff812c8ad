/**
 * A controller's state directory read as the CLI shows it (`drover hosts --state-dir`, `drover explain
 * --state-dir`): each host's status and reason, and why it is not on the newest good revision
 * (`blockedBy`), derived the way the running controller derives them from what the directory holds.
 * Read only: safe beside a running controller. What only the running controller knows (its breakers,
 * its retry times, whether a suspension came from its config) is absent; `drover explain --controller`
 * asks the controller for it.
 */
import { join } from 'node:path';
import { formatProblem } from '../../manifests/index.js';
import { loadState } from '../daemon/state/state.js';
import { blockedBy, type BlockedBy, type BlockedContext } from '../daemon/state/blocked-by.js';
import { deriveStatus } from '../daemon/state/status.js';
import type { ControllerRecord, HostRecord, HostStatus } from '../daemon/state/records.js';
import { newestEvents } from '../daemon/report/event-read.js';
import type { DroverEvent } from '../daemon/report/events.js';
import { describeRollouts } from './commands/rollout-status.js';

/** One host of a state directory, as `drover hosts --state-dir` shows it. */
export interface StateDirHost {
  host: string;
  status: HostStatus;
  reason: string;
  blockedBy?: BlockedBy;
  suspended: boolean;
  lastAppliedRevision?: string;
  lastAttemptedRevision?: string;
  lastAttemptAt?: number;
  lastSuccessAt?: number;
  lastError?: HostRecord['lastError'];
  /** Resources in Conflict (self-heal paused for them); absent when none. */
  conflicts?: HostRecord['conflicts'];
}

/** What a state directory says about its source, hosts and rollouts. */
export interface StateDirView {
  source: ControllerRecord;
  hosts: StateDirHost[];
  rollouts: ReturnType<typeof describeRollouts>;
  /** Each live host's full record (history included), by name. */
  records: Map<string, HostRecord>;
}

/** Reads `stateDir` at `now` (epoch ms) without changing it. */
export async function readStateDir(stateDir: string, now: number): Promise<StateDirView> {
  const state = await loadState(stateDir);
  const source = state.controller;
  const rollouts = describeRollouts(stateDir, now);
  const base: BlockedContext = {};
  if (source.lastGoodRevision !== undefined) base.desiredRevision = source.lastGoodRevision;
  if (source.rejected) base.rejected = { revision: source.rejected.revision, problem: source.rejected.problems[0] ? formatProblem(source.rejected.problems[0]) : 'invalid' };
  const records = new Map([...state.hosts].filter(([, r]) => r.removedAt === undefined));
  const hosts = [...records.values()].map((record) => describe(record, { ...base, ...holdOf(record, rollouts) }));
  return { source, hosts, rollouts, records };
}

/**
 * The hold on a host: its rollout wave (from rollouts.json), else a window, which only the running
 * controller tracks: the reason it saved with the record says it.
 */
function holdOf(record: HostRecord, rollouts: StateDirView['rollouts']): Pick<BlockedContext, 'hold' | 'held'> {
  const wave = rollouts.hold(record.host);
  if (wave) return { hold: wave, held: wave.reason };
  return record.reason.startsWith('OutsideWindow:') ? { hold: { kind: 'window', reason: record.reason }, held: record.reason } : {};
}

function describe(record: HostRecord, context: BlockedContext): StateDirHost {
  const { status, reason } = deriveStatus(record, context);
  const blocked = blockedBy(record, status, context);
  return {
    host: record.host, status, reason, ...(blocked ? { blockedBy: blocked } : {}), suspended: record.suspended,
    ...pick(record, ['lastAppliedRevision', 'lastAttemptedRevision', 'lastAttemptAt', 'lastSuccessAt', 'lastError', 'conflicts']),
  };
}

function pick<T extends object, K extends keyof T>(value: T, keys: K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((k) => value[k] !== undefined).map((k) => [k, value[k]])) as Partial<Pick<T, K>>;
}

/** The newest `limit` events about `host` in the state directory's event log (none when it has no log). */
export function hostEvents(stateDir: string, host: string, limit: number): Promise<DroverEvent[]> {
  return newestEvents(join(stateDir, 'events'), { host }, limit);
}
