/**
 * The controller's half of the lockout guard (apply/guard.ts has the host's): after an apply, confirm the
 * run over a NEW SSH connection (never the pooled one the apply used: that one was authenticated before
 * the change and would prove nothing). The confirmation disarms the host's watchdog; without it, the host
 * undoes the run `confirmWithin` after it ended, and this module waits for the host to come back and tell
 * what it did.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_CONFIRM_WITHIN_MS } from '../../manifests/merge-guard.js';
import type { DesiredState } from '../../manifests/types.js';
import { confirmCommand, parseConfirmAnswer } from '../apply/guard.js';
import type { GuardOptions } from '../apply/types.js';
import { accessRisk } from '../plan/access-risk.js';
import type { Plan } from '../plan/types.js';
import { describeUndone, parseUndoneRecord, type UndoneRun } from '../facts/undone.js';
import type { Transport } from '../transport/types.js';
import { toHostFailure } from './failure.js';
import type { HostFailure, HostTarget } from './types.js';

/** How often a confirmation is tried again while the host does not answer (each try is a new connection). */
const RETRY_MS = 500;

/** After the deadline, how long to wait for the host to come back and say what it undid (at least this, or confirmWithin). */
const MIN_AFTERMATH_MS = 30_000;

/** How a confirmation ended: the run stays (`confirmed`, or never armed: `unknown`), or it was (to be) undone. */
export type Confirmation =
  | { state: 'confirmed' | 'unknown' }
  | { state: 'undone'; undone: UndoneRun; cause?: HostFailure }
  | { state: 'lost'; cause?: HostFailure; deadline: number };

/**
 * The guard of a run of `target` applying `plan`, or undefined when there is none: confirmWithin 0, the
 * caller gave no way to open a fresh connection (`connectFresh`), or the plan changes nothing that can cut
 * SSH access (plan/access-risk.ts: only files in data areas such as /srv).
 */
export function guardFor(target: HostTarget, plan: Pick<Plan, 'steps'>): GuardOptions | undefined {
  const withinMs = target.desired.host.confirmWithinMs ?? DEFAULT_CONFIRM_WITHIN_MS;
  if (withinMs <= 0 || target.connectFresh === undefined) return undefined;
  if (!accessRisk(plan, target.desired)) return undefined;
  return { id: randomBytes(12).toString('hex'), withinMs, label: target.revision ?? 'local' };
}

/**
 * Confirms the run guarded by `guard`, trying a new connection every RETRY_MS until the host answers.
 * The host's countdown starts when the run ended (about now; a run still going, after a lost connection,
 * moves it on). Past the deadline, keeps asking for max(MIN_AFTERMATH_MS, confirmWithin) more to learn
 * what the host undid. Never rejects; a signal that aborts ends the wait as `lost`.
 */
export async function confirmRun(target: HostTarget, guard: GuardOptions): Promise<Confirmation> {
  const connectFresh = target.connectFresh!;
  let deadline = Date.now() + guard.withinMs;
  const aftermath = Math.max(MIN_AFTERMATH_MS, guard.withinMs);
  let cause: HostFailure | undefined;
  for (;;) {
    const answer = await ask(connectFresh, guard.id).catch((err: unknown) => {
      cause = toHostFailure(err);
      return undefined;
    });
    if (answer?.state === 'confirmed' || answer?.state === 'unknown') return { state: answer.state };
    if (answer?.state === 'undone') {
      const undone = parseUndoneRecord(answer.record);
      if (undone) return { state: 'undone', undone, ...(cause ? { cause } : {}) };
    }
    if (answer?.state === 'running') deadline = Date.now() + guard.withinMs;
    if (Date.now() > deadline + aftermath || target.signal?.aborted) return { state: 'lost', deadline, ...(cause ? { cause } : {}) };
    await delay(RETRY_MS, undefined, target.signal ? { signal: target.signal } : {}).catch(() => undefined);
  }
}

async function ask(connectFresh: () => Promise<Transport>, id: string): Promise<ReturnType<typeof parseConfirmAnswer>> {
  const transport = await connectFresh();
  try {
    const result = await transport.run(confirmCommand(id), { timeoutMs: 30_000 });
    return result.code === 0 ? parseConfirmAnswer(result.stdout.toString('utf8')) : { state: 'running' };
  } finally {
    await transport.close().catch(() => undefined);
  }
}

/** The failure of a run the guard undid (or was to undo): E_LOCKED_OUT, saying why confirming failed and what the host did. */
export function lockedOut(confirmation: Exclude<Confirmation, { state: 'confirmed' | 'unknown' }>, guard: GuardOptions): HostFailure {
  const why = confirmation.cause ? ` (${confirmation.cause.code}: ${confirmation.cause.message})` : '';
  const head = `the run could not be confirmed over a new SSH connection within ${Math.round(guard.withinMs / 1000)}s${why}`;
  if (confirmation.state === 'undone') return { code: 'E_LOCKED_OUT', unreachable: false, message: `${head}; ${describeUndone(confirmation.undone)}` };
  const at = new Date(confirmation.deadline).toISOString();
  return { code: 'E_LOCKED_OUT', unreachable: false, message: `${head}; the host was to undo it at about ${at} and has not answered since` };
}

/** The failure of a run whose undo the probe found on the host (a controller stopped before it could confirm). */
export function foundUndone(undone: UndoneRun): HostFailure {
  return { code: 'E_LOCKED_OUT', unreachable: false, message: `the run was never confirmed over a new SSH connection; ${describeUndone(undone)}` };
}

/** Whether `desired` asks for no guard (for callers that show it). */
export function guardDisabled(desired: DesiredState): boolean {
  return (desired.host.confirmWithinMs ?? DEFAULT_CONFIRM_WITHIN_MS) <= 0;
}
