/**
 * The reboot phase, after a run that converged: say whether the host needs a reboot, and with
 * `reboot: auto` (when the caller may reboot now) reboot it, wait for a new boot id over new connections,
 * observe it again and run its test_* checks. Never rejects: a host that does not come back is the failure
 * E_REBOOT_TIMEOUT, one that still needs a reboot after it E_REBOOT_INEFFECTIVE.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { DroverError } from '../../manifests/errors.js';
import { DEFAULT_REBOOT_TIMEOUT_MS } from '../../manifests/merge-reboot.js';
import type { DesiredState } from '../../manifests/types.js';
import { BOOT_ID_PATH, DROVER_REBOOT_MARKER } from '../facts/boot.js';
import { observeHost } from '../facts/observe.js';
import type { BootFact } from '../facts/types.js';
import { planHost } from '../plan/plan-host.js';
import { rebootAction, rebootNeed, type RebootNeed } from '../plan/reboot.js';
import { shellQuote } from '../transport/shell.js';
import type { Transport } from '../transport/types.js';
import type { ApplyResult } from '../apply/types.js';
import { stepFailure, toHostFailure } from './failure.js';
import { hasTests, runHostTests } from './host-tests.js';
import type { HostFailure, HostTarget, RebootReport } from './types.js';

/** How often a rebooted host is asked for its boot id (each try is a new connection). */
const POLL_MS = 1_000;
/** Leaves the SSH command time to return before the host goes down; detached, so the session's end does not stop it. */
const REBOOT_COMMAND = "nohup setsid sh -c 'sleep 1; systemctl reboot || reboot' </dev/null >/dev/null 2>&1 &";

/** What the phase found and did: the report, and when the run is to fail, why; the checks it ran after the boot. */
export interface RebootOutcome {
  report?: RebootReport;
  error?: HostFailure;
  checks?: ApplyResult;
}

/** The resources of `desired` with `reboot: true` that `apply` changed. */
export function changedRebootResources(desired: DesiredState, apply: ApplyResult | undefined): string[] {
  const marked = new Set(desired.resources.filter((r) => (r.spec as { reboot?: boolean }).reboot === true).map((r) => r.id));
  return [...new Set((apply?.steps ?? []).filter((s) => s.status === 'changed' && marked.has(s.resource)).map((s) => s.resource))];
}

/**
 * Records the run's changed `reboot: true` resources on the host (drover's marker, this boot only), then
 * decides. `boot` is the newest observation's; `mayReboot`: the run is an apply inside the host's window
 * and wave. Returns no report when the host needs no reboot. Rejects (E_APPLY_FAILED, transport errors)
 * only when the marker cannot be written.
 */
export async function rebootPhase(target: HostTarget, args: { boot: BootFact | undefined; changed: string[]; transport: () => Promise<Transport>; mayReboot: boolean }): Promise<RebootOutcome> {
  const { desired } = target;
  if (args.changed.length > 0) await markChanged(await args.transport(), args.changed);
  const need = rebootNeed(args.boot, args.changed);
  const action = rebootAction(need, { mode: desired.host.reboot, mayReboot: args.mayReboot && target.connectFresh !== undefined && args.boot !== undefined });
  if (action === 'none') return {};
  if (action !== 'reboot') return { report: { ...need, action } };
  return rebootAndCheck(target, { need, bootId: args.boot!.bootId, transport: await args.transport() });
}

async function rebootAndCheck(target: HostTarget, args: { need: RebootNeed; bootId: string; transport: Transport }): Promise<RebootOutcome> {
  const since = Date.now();
  target.onPhase?.('reboot');
  target.onRebooting?.(since);
  const report: RebootReport = { ...args.need, action: 'rebooted', since, from: args.bootId };
  await args.transport.run(REBOOT_COMMAND, { timeoutMs: 30_000 }).catch(() => undefined);
  const timeoutMs = target.desired.host.rebootTimeoutMs ?? DEFAULT_REBOOT_TIMEOUT_MS;
  const back = await waitForNewBoot(target, { from: args.bootId, deadline: since + timeoutMs });
  if (!back) {
    const error: HostFailure = { code: 'E_REBOOT_TIMEOUT', unreachable: false, message: `rebooted at ${new Date(since).toISOString()}, not back with a new boot id within ${Math.round(timeoutMs / 1000)}s` };
    return { report, error };
  }
  try {
    return { report: { ...report, to: back.bootId }, ...(await afterBoot(target.desired, back.transport, target.signal)) };
  } catch (err) {
    return { report: { ...report, to: back.bootId }, error: toHostFailure(err) };
  } finally {
    await back.transport.close().catch(() => undefined);
  }
}

/** Observes the host after its boot and runs its checks; a need that survived the boot is E_REBOOT_INEFFECTIVE. */
async function afterBoot(desired: DesiredState, transport: Transport, signal: AbortSignal | undefined): Promise<Omit<RebootOutcome, 'report'>> {
  const observed = await observeHost(desired, transport, signal ? { signal } : {});
  const plan = planHost(desired, observed);
  const checks = hasTests(plan) ? await runHostTests({ desired, observed, plan, transport, ...(signal ? { signal } : {}) }) : undefined;
  if (checks && !checks.ok) return { checks, error: stepFailure(checks, { checksOnly: true }) };
  const left = rebootNeed(observed.boot);
  if (left.required) return { ...(checks ? { checks } : {}), error: { code: 'E_REBOOT_INEFFECTIVE', unreachable: false, message: `rebooted, yet it still needs a reboot: ${left.reasons.join('; ')}` } };
  return checks ? { checks } : {};
}

/** Polls new connections until the host answers with a boot id other than `from`; undefined at the deadline. */
async function waitForNewBoot(target: HostTarget, options: { from: string; deadline: number }): Promise<{ bootId: string; transport: Transport } | undefined> {
  while (Date.now() < options.deadline && !target.signal?.aborted) {
    const answer = await askBootId(target.connectFresh!).catch(() => undefined);
    if (answer && answer.bootId !== '' && answer.bootId !== options.from) return answer;
    if (answer) await answer.transport.close().catch(() => undefined);
    await delay(POLL_MS, undefined, target.signal ? { signal: target.signal } : {}).catch(() => undefined);
  }
  return undefined;
}

async function askBootId(connectFresh: () => Promise<Transport>): Promise<{ bootId: string; transport: Transport }> {
  const transport = await connectFresh();
  try {
    const result = await transport.run(`cat ${BOOT_ID_PATH}`, { timeoutMs: 10_000 });
    return { bootId: result.code === 0 ? result.stdout.toString('utf8').trim() : '', transport };
  } catch (err) {
    await transport.close().catch(() => undefined);
    throw err;
  }
}

/** Appends `ids` to drover's marker of this boot (a marker of another boot is replaced). */
async function markChanged(transport: Transport, ids: string[]): Promise<void> {
  const file = DROVER_REBOOT_MARKER;
  const lines = ids.map(shellQuote).join(' ');
  const script = [
    `b=$(cat ${BOOT_ID_PATH}); mkdir -p "$(dirname ${file})"`,
    `if [ -r ${file} ] && [ "$(head -n 1 ${file})" = "$b" ]; then printf '%s\\n' ${lines} >> ${file}; else { echo "$b"; printf '%s\\n' ${lines}; } > ${file}; fi`,
  ].join('\n');
  const result = await transport.run('sh -s', { stdin: script, timeoutMs: 30_000 });
  if (result.code !== 0) throw new DroverError('E_APPLY_FAILED', `cannot record the reboot: true resources that changed in ${file}: ${result.stderr.toString('utf8').trim()}`);
}
