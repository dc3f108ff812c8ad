/**
 * applyPlan: runs a host's Plan through its Transport in ONE round trip. The assembled script
 * (script.ts) and every staged content travel as a tar on stdin; the host extracts them into a private
 * run dir under /var/lib/drover, runs the steps in order and prints its records at the end.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DroverError, scrubSecrets } from '../../manifests/errors.js';
import type { DesiredState } from '../../manifests/types.js';
import type { ObservedState } from '../facts/types.js';
import type { Plan } from '../plan/types.js';
import { shellQuote } from '../transport/shell.js';
import type { Transport } from '../transport/types.js';
import { parseReport, type ParsedReport } from './report.js';
import { buildHostScript, type HostScript, type ScriptEntry } from './script.js';
import { DROVER_STATE_DIR } from '../facts/drover-state.js';
import { buildTar, type TarEntry } from './tar.js';
import type { ApplyOptions, ApplyResult, PublicKeyReport, StepResult } from './types.js';

/** Inputs of applyPlan: the plan must have been made from this desired state and observation. */
export interface ApplyPlanArgs {
  desired: DesiredState;
  observed: ObservedState;
  plan: Plan;
  transport: Transport;
  options?: ApplyOptions;
}

/** Exit status of the run when another apply holds the host's lock. */
export const BUSY_EXIT = 75;

/** Exit status of the run when the host lacks a tool an apply needs (flock, setsid -w). */
export const MISSING_TOOL_EXIT = 69;

function missingTool(what: string, why: string): string {
  const message = `drover: this host has no ${what}, which drover needs ${why}; install util-linux (Debian/RHEL ship it; on Alpine: apk add util-linux)`;
  return `{ echo ${shellQuote(message)} >&2; exit ${MISSING_TOOL_EXIT}; }`;
}

/**
 * The command line that unpacks the run (tar on stdin) into a private dir, runs it, and removes the dir.
 * The run is detached into its own session (`setsid -w`) and holds /var/lib/drover/lock (flock): a
 * cancelled run or a lost connection (the transport kills the command's process group) never stops it
 * half-way: it finishes or restores on its own, and a second apply waits for none but fails with
 * BUSY_EXIT while it runs. A host without flock or `setsid -w` is refused (MISSING_TOOL_EXIT) before
 * anything changes. Holding the lock, the run removes the `.run-*` dirs of runs that died (a reboot):
 * every run holds the lock for its whole life, so no other run dir belongs to a live run.
 */
export function runCommand(token: string): string {
  // probe.sh, when the run carries one, observes what the run left while the lock is still held.
  const verify = `if [ $_rc = 0 ] && [ -f "$_w/probe.sh" ]; then echo ${token} verify; sh "$_w/probe.sh" < /dev/null; fi`;
  const body = [
    `_w=${DROVER_STATE_DIR}/.run-${token}`,
    `mkdir -p -m 0755 ${DROVER_STATE_DIR} || exit 1`,
    `exec 9> ${DROVER_STATE_DIR}/lock; flock -n 9 || { echo "drover: another apply is running on this host" >&2; exit ${BUSY_EXIT}; }`,
    `for _o in ${DROVER_STATE_DIR}/.run-*; do if [ -d "$_o" ] && [ ! -L "$_o" ]; then rm -rf -- "$_o"; fi; done`,
    'mkdir -m 0700 "$_w" && (cd "$_w" && tar -xf -) && sh "$_w/run.sh" "$_w"',
    `_rc=$?; ${verify}`,
    'cd / && rm -rf "$_w"; exit $_rc',
  ].join('\n');
  return [
    'umask 077',
    `command -v flock >/dev/null 2>&1 || ${missingTool('flock', 'to run one apply at a time')}`,
    `setsid -w true >/dev/null 2>&1 || ${missingTool('setsid -w', 'so that a lost connection cannot stop an apply half-way')}`,
    `exec setsid -w sh -c ${shellQuote(body)}`,
  ].join('; ');
}

function publicKeys(args: ApplyPlanArgs, built: HostScript, report: ParsedReport | undefined): PublicKeyReport[] {
  const keys: PublicKeyReport[] = [];
  for (const r of args.desired.resources) {
    if (r.kind !== 'ssh_key') continue;
    const index = built.entries.findIndex((e) => e.role === 'step' && e.resource === r.id);
    const fact = args.observed.resources[r.id];
    const found = report?.publicKeys.get(index) ?? (fact?.kind === 'ssh_key' ? fact.publicKey : undefined);
    if (found) keys.push({ resource: r.id, path: String(r.spec.path ?? r.key), publicKey: found });
  }
  return keys;
}

/** Results without running anything: steps with work are `skipped` (dry run), the rest `unchanged`. */
function notRun(built: HostScript): StepResult[] {
  return built.entries.map((e) => ({ name: e.name, resource: e.resource, status: e.runs ? 'skipped' : 'unchanged', durationMs: 0 }));
}

/**
 * Sends `files` (run.sh last) as a tar to the host, runs them with runCommand, and parses the records
 * for `entries`. Throws E_APPLY_FAILED / E_APPLY_BUSY / E_HOST_UNSUPPORTED / E_APPLY_OUTPUT and transport errors (see applyPlan).
 */
export async function runHostScript(args: {
  transport: Transport; files: TarEntry[]; entries: readonly ScriptEntry[]; token: string; signal?: AbortSignal; timeoutMs?: number;
}): Promise<ParsedReport & { verifyOutput?: string }> {
  const { transport } = args;
  const result = await transport.run(runCommand(args.token), {
    stdin: buildTar(args.files),
    ...(args.signal ? { signal: args.signal } : {}),
    ...(args.timeoutMs !== undefined ? { timeoutMs: args.timeoutMs } : {}),
  });
  if (result.code !== 0) {
    const detail = scrubSecrets(result.stderr.toString('utf8').trim()).slice(-2000) || '(no stderr)';
    if (result.code === MISSING_TOOL_EXIT) throw new DroverError('E_HOST_UNSUPPORTED', `${transport.host}: ${detail.replace(/^drover: /, '')}`, { host: transport.host });
    const code = result.code === BUSY_EXIT ? 'E_APPLY_BUSY' : 'E_APPLY_FAILED';
    throw new DroverError(code, `${transport.host}: apply script exited with status ${result.code}: ${detail}`, { host: transport.host });
  }
  const out = result.stdout.toString('utf8');
  const marker = out.indexOf(`\n${args.token} verify\n`);
  try {
    const report = parseReport(marker < 0 ? out : out.slice(0, marker + 1), { token: args.token, entries: args.entries });
    return marker < 0 ? report : { ...report, verifyOutput: out.slice(marker + args.token.length + 9) };
  } catch (error) {
    if (!(error instanceof DroverError)) throw error;
    throw new DroverError(error.code, `${transport.host}: ${error.message}`, { host: transport.host, cause: error });
  }
}

/**
 * Applies `plan` to the host: one transport run (none for a dry run or when nothing is to be done).
 * A cancel (signal, timeout) or a lost connection stops the waiting, not the host script: it runs to its
 * end (or restores) on the host, so the host is never left half-way; the caller re-observes.
 * Steps run in plan order; the first failing step stops the run, every file changed before it is put
 * back (`restored`), later steps are `skipped`, and pending notifications stay recorded on the host.
 * Role tests run after a successful run; a failing test fails the result but restores nothing.
 * Throws: transport errors unchanged (E_CONNECTION_LOST, E_CANCELLED...); E_APPLY_INVALID (stalled) for
 * values that must not reach the host; E_APPLY_FAILED when the host script itself could not run
 * (no tar, unwritable /var/lib/drover); E_APPLY_BUSY (transient) while another apply runs on the host;
 * E_HOST_UNSUPPORTED (stalled) when the host lacks flock or `setsid -w` (nothing changed);
 * E_APPLY_OUTPUT (internal) for an unreadable report. Never retries.
 */
export async function applyPlan(args: ApplyPlanArgs): Promise<ApplyResult> {
  const started = performance.now();
  const options = args.options ?? {};
  const token = `drover${randomBytes(12).toString('hex')}`;
  const built = buildHostScript({
    desired: args.desired, observed: args.observed, steps: args.plan.steps, token, partial: options.partial === true, ...(options.guard ? { guard: options.guard } : {}),
  });
  const host = args.desired.host.name;
  if (options.dryRun || !built.needsRun) {
    const steps = notRun(built);
    steps.forEach((s) => options.onStep?.(s));
    return { host, ok: true, steps, restored: [], notRestored: [], publicKeys: publicKeys(args, built, undefined), roundTrips: 0, durationMs: performance.now() - started };
  }
  // probe.sh goes before run.sh: an archive cut short never holds the script to run (script.ts).
  const files = options.verifyProbe === undefined ? built.files : [{ name: 'probe.sh', content: Buffer.from(options.verifyProbe) }, ...built.files];
  const report = await runHostScript({
    transport: args.transport, files, entries: built.entries, token,
    ...(options.signal ? { signal: options.signal } : {}), ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  report.steps.forEach((s) => options.onStep?.(s));
  const ok = report.notRestored.length === 0 && report.steps.every((s) => s.status === 'changed' || s.status === 'unchanged');
  return {
    host, ok, steps: report.steps, restored: report.restored, notRestored: report.notRestored,
    publicKeys: publicKeys(args, built, report), roundTrips: 1, durationMs: performance.now() - started, ...(built.guarded ? { guarded: true } : {}),
    ...(report.verifyOutput !== undefined ? { verifyOutput: report.verifyOutput } : {}),
  };
}
