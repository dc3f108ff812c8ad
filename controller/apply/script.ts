/**
 * Assembles one host script from a plan (pure): every step that has work becomes a sh function run in
 * its own sub-shell, in plan order, with its hooks around it; the first failure stops the run and puts
 * back every file changed so far; on success pending notifications are cleared, the inventory written
 * and the role tests run. The script and all staged contents travel as one tar on stdin (see execute.ts).
 */
import type { DesiredResource, DesiredState, HookScript } from '../../manifests/types.js';
import type { ObservedState } from '../facts/types.js';
import type { PlanStep } from '../plan/types.js';
import {
  backupAction, buildWorkAction, handlerAction, installPackages, removePackages, testAction, type ActionContext,
} from './actions/index.js';
import { fail, lines, notifiedOnHost, pathOf, q } from './actions/common.js';
import { inventoryContent, inventoryIds } from './inventory.js';
import { cleanAction, purgeAction } from './prune.js';
import { DROVER_STATE_DIR, inventoryPath, PENDING_PATH } from '../facts/drover-state.js';
import { heldSecretsShell, MASK_AWK } from '../facts/files.js';
import { APPLY_SH_LIBRARY, BACKUP_DIR, PRISTINE_DIR, UNCHANGED_EXIT } from './sh-lib.js';
import type { ActionScript, GuardOptions } from './types.js';
import { guardFiles, guardPreamble, GUARD_RUN_LIBRARY, type RerunStep } from './guard.js';
import type { TarEntry } from './tar.js';

/** One line of the apply report: a plan step, a hook script, or a clean step; `runs` when the script runs it. */
export interface ScriptEntry {
  name: string;
  resource: string;
  role: 'step' | 'hook' | 'test';
  runs: boolean;
  step?: PlanStep;
}

/** The assembled run. */
export interface HostScript {
  /** The script text (also in `files` as `run.sh`). */
  script: string;
  /** The staged contents `f0`, `f1`, ..., then `run.sh` (last, so a truncated archive has no script). */
  files: TarEntry[];
  /** Report lines in order; the script's records name them by index. */
  entries: ScriptEntry[];
  /** False when there is nothing to do on the host (no work, tests, pending notifications or inventory change). */
  needsRun: boolean;
  /** The run arms the lockout guard (asked for, and it changes something): the caller must confirm it. */
  guarded: boolean;
}

/** Inputs of buildHostScript. */
export interface BuildScriptArgs {
  desired: DesiredState;
  observed: ObservedState;
  steps: readonly PlanStep[];
  /** Letters and digits; starts every record line. */
  token: string;
  /** `steps` are a part of the host's plan: keep pending notifications it does not settle, leave the inventory. */
  partial?: boolean;
  /** Arm the lockout guard before the first change (guard.ts), when the run changes anything. */
  guard?: GuardOptions;
}

/** A step with work to do on the host (tests always run, after the rest). */
export function stepRuns(step: PlanStep): boolean {
  if (step.report === true) return false;
  return step.phase === 'test' || step.action !== 'none' || step.mayChange !== undefined;
}

interface Assembly {
  args: BuildScriptArgs;
  byId: Map<string, DesiredResource>;
  /** Ids notified for sure: pending from an earlier run, or notified by a step that changes something. */
  notified: Set<string>;
  /** Ids notified only by steps that decide on the host whether they change anything. */
  maybeNotified: Set<string>;
  handlers: Set<string>;
  files: TarEntry[];
  entries: ScriptEntry[];
  functions: string[];
  calls: string[];
  tests: string[];
  packagesDone: { install: boolean; remove: boolean };
  /** Handlers and notified commands, which the lockout guard's watchdog runs again if the run ran them. */
  reruns: RerunStep[];
}

function stage(a: Assembly, content: Buffer): string {
  const name = `f${a.files.length}`;
  a.files.push({ name, content });
  return `"$W/${name}"`;
}

function context(a: Assembly, resource: DesiredResource): ActionContext {
  const notified = a.notified.has(resource.id);
  return { desired: a.args.desired, observed: a.args.observed, stage: (c) => stage(a, c), notified, maybeNotified: !notified && a.maybeNotified.has(resource.id) };
}

function packageAction(a: Assembly, step: PlanStep): ActionScript {
  const manager = a.args.observed.platform.packageManager;
  const kind = step.action === 'delete' ? 'remove' : 'install';
  if (a.packagesDone[kind]) return { script: ':' };
  a.packagesDone[kind] = true;
  const batch = a.args.steps
    .filter((s) => s.kind === 'package' && (s.action === 'delete') === (kind === 'remove') && s.action !== 'none')
    .map((s) => a.byId.get(s.resource))
    .filter((r): r is DesiredResource<'package'> => r?.kind === 'package');
  return kind === 'remove' ? removePackages(batch, manager) : installPackages(batch, manager);
}

/**
 * A handler that may change (its notifiers are decided on the host) runs only when one of them recorded
 * the notification in the pending file: a guarded command that found nothing to do restarts nothing.
 */
function onlyWhenNotified(step: PlanStep, action: ActionScript): ActionScript {
  if (step.mayChange === undefined) return action;
  const notified = notifiedOnHost(step.resource);
  return { ...action, guard: action.guard === undefined ? notified : `${notified} && ${action.guard}` };
}

function actionFor(a: Assembly, step: PlanStep): ActionScript {
  if (step.phase === 'test') {
    const test = a.args.desired.tests.find((t) => `test:${t.role}/${t.name}` === step.resource);
    return test ? testAction(test) : { script: fail(`no test ${step.resource}`) };
  }
  const resource = a.byId.get(step.resource);
  if (step.purge !== undefined && resource !== undefined) return purgeAction(step.purge, pathOf(resource), a.args.desired.settings.backups);
  if (resource === undefined && step.action === 'delete') return cleanAction(step.resource, a.args.desired.settings.backups);
  if (resource === undefined) return { script: fail(`no resource ${step.resource} in the desired state`) };
  if (step.phase === 'backup') return backupAction(pathOf(resource), a.args.desired.settings.backups);
  if (step.phase === 'handler') return resource.kind === 'service' ? onlyWhenNotified(step, handlerAction(resource)) : { script: fail(`${step.resource} is not a service`) };
  if (resource.kind === 'package') return packageAction(a, step);
  return buildWorkAction(resource, step, context(a, resource));
}

/** Whether a successful step settles a pending notification of its resource. */
function settlesPending(a: Assembly, step: PlanStep): boolean {
  if (step.phase === 'handler') return true;
  if (step.kind === 'command') return a.notified.has(step.resource) || a.maybeNotified.has(step.resource);
  return step.kind === 'service' && step.phase !== 'backup' && !a.handlers.has(step.resource);
}

/** A handler or a notified command: the guard's watchdog runs it again (without its guards) after putting files back. */
function rerunOf(a: Assembly, index: number, step: PlanStep): RerunStep | undefined {
  const resource = a.byId.get(step.resource);
  if (step.phase === 'handler' && resource?.kind === 'service') return { index, name: step.name, script: handlerAction(resource).script };
  const notified = a.notified.has(step.resource) || a.maybeNotified.has(step.resource);
  if (step.phase === 'backup' || step.phase === 'clean' || resource?.kind !== 'command' || !notified) return undefined;
  return { index, name: step.name, script: buildWorkAction(resource, step, { ...context(a, resource), notified: true, maybeNotified: false }).script };
}

function stepFunction(a: Assembly, index: number, step: PlanStep): string {
  const action = actionFor(a, step);
  const notify = step.phase === 'test' ? [] : step.notifies.filter((id) => !id.includes('\n'));
  const rerun = rerunOf(a, index, step);
  if (rerun) a.reruns.push(rerun);
  return lines(
    `_s${index}() {`,
    action.guard !== undefined && `if ! { ${action.guard}; } >/dev/null 2>&1; then exit ${UNCHANGED_EXIT}; fi`,
    rerun !== undefined && `[ -z "$_G" ] || echo ${index} >> "$_G/ran"`,
    notify.length > 0 && `_pend_add ${notify.map(q).join(' ')}`,
    action.script,
    step.phase !== 'test' && settlesPending(a, step) && `_pend_del ${q(step.resource)}`,
    'exit 0',
    '}',
  );
}

function addHooks(a: Assembly, hooks: readonly HookScript[], stepName: string): void {
  for (const hook of hooks) {
    const index = a.entries.length;
    a.entries.push({ name: `${hook.phase}:${hook.step}/${hook.name}`, resource: `hook:${hook.step}`, role: 'hook', runs: true });
    const file = stage(a, Buffer.from(hook.script, 'utf8'));
    a.functions.push(`_s${index}() { cd / && DROVER_HOST=${q(a.args.desired.host.name)} DROVER_STEP=${q(stepName)} sh ${file}; }`);
    a.calls.push(`_go ${index} _s${index}`);
  }
}

function hooksOf(a: Assembly, step: string, phase: 'pre' | 'post'): HookScript[] {
  return a.args.desired.hooks.filter((h) => h.step === step && h.phase === phase);
}

interface Span { first: number; last: number; runs: boolean }

/**
 * Per key (a group, or a step name that several resources share through `step:`): indexes (in `steps`)
 * of its first and last non-test step, and whether any of its steps runs.
 */
function spansBy(steps: readonly PlanStep[], key: (s: PlanStep) => string): Map<string, Span> {
  const spans = new Map<string, Span>();
  steps.forEach((s, i) => {
    if (s.phase === 'test') return;
    const span = spans.get(key(s)) ?? { first: i, last: i, runs: false };
    span.last = i;
    span.runs ||= stepRuns(s);
    spans.set(key(s), span);
  });
  return spans;
}

/** A step, with its hooks once around all the plan steps of its name (pre before the first, post after the last). */
function addStep(a: Assembly, step: PlanStep, at: { index: number; named: Span | undefined }): void {
  const runs = stepRuns(step);
  const hooked = step.phase !== 'test' && at.named?.runs === true;
  if (hooked && at.named?.first === at.index) addHooks(a, hooksOf(a, step.name, 'pre'), step.name);
  const index = a.entries.length;
  a.entries.push({ name: step.name, resource: step.resource, role: step.phase === 'test' ? 'test' : 'step', runs, step });
  if (runs) {
    a.functions.push(stepFunction(a, index, step));
    (step.phase === 'test' ? a.tests : a.calls).push(`${step.phase === 'test' ? '_check' : '_go'} ${index} _s${index}`);
  }
  if (hooked && at.named?.last === at.index) addHooks(a, hooksOf(a, step.name, 'post'), step.name);
}

const DRIVER = String.raw`
_step() { _I=$1; _rec b "$_I" "$(_now)"
  ( set -e; _TMP=; _k=0; trap '[ -z "$_TMP" ] || rm -rf -- "$_TMP"' EXIT; trap 'exit 143' TERM; trap 'exit 130' INT; "$2" ) > "$W/o" 2>&1 < /dev/null
  _rc=$?; _rec e "$_I" "$_rc" "$(_now)"
  case $_rc in 0|100) return 0;; esac
  _rec o "$_I" "x$(_masked < "$W/o" | tail -c 4000 | _hx)"; return 1; }
_go() { [ "$_ok" = 1 ] || return 0; _step "$@"; [ $? = 0 ] || _ok=0; }
_check() { [ "$_ok" = 1 ] || return 0; _step "$@"; }`;

/**
 * `_masked`: stdin to stdout with every secret the host holds replaced by its placeholder, so a failed
 * step's output never carries one off the host (a command printing a generated secret, a config file
 * quoted in an error). The secrets are listed when it runs: one the run itself generated is masked too.
 */
function maskFunction(resources: readonly DesiredResource[]): string[] {
  return [`_MASK=${q(MASK_AWK)}`, '_masked() {', ...heldSecretsShell(resources).map((l) => `  ${l}`), '  _NL=1 awk "$_MASK"; }'];
}

/**
 * The whole script around step functions: header, library, driver, `calls` (each `_go I _sI`), then on
 * success `onSuccess` lines, else the restore of every journalled file; finally the log on stdout.
 * `resources`: the host's resources, whose secrets a failed step's output is masked of.
 */
export function assembleMain(args: {
  token: string; functions: readonly string[]; calls: readonly string[]; onSuccess: readonly string[]; inventory?: string; resources: readonly DesiredResource[];
  /** Lines run before the first call (guard.ts guardPreamble); none: `_G` stays unset (no guard). */
  preamble?: readonly string[];
}): string {
  return lines(
    '_main() {',
    `_T=${args.token}; W=$1; _L="$W/log"; _DD=${DROVER_STATE_DIR}; _PF=${PENDING_PATH}; _BD=${BACKUP_DIR}; _PD=${PRISTINE_DIR}; _INV=${q(args.inventory ?? inventoryPath(undefined))}`,
    'LC_ALL=C; export LC_ALL; PATH="$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"; export PATH',
    "umask 022; trap '' HUP; : > \"$_L\"",
    APPLY_SH_LIBRARY,
    GUARD_RUN_LIBRARY,
    ...maskFunction(args.resources),
    DRIVER.trim(),
    ...args.functions,
    ...(args.preamble ?? ['_G=']),
    '_ok=1',
    ...args.calls,
    'if [ "$_ok" = 1 ]; then',
    ...args.onSuccess.map((l) => `  ${l}`),
    '  :',
    'else _restore_all; fi',
    '_rec done',
    '_guard_end',
    '}',
    '_main "$1" < /dev/null',
    'cat "$1/log"',
    '',
  );
}

/** Whether the host's inventory file differs from the ids this run manages. */
function inventoryChanged(args: BuildScriptArgs): boolean {
  const want = inventoryIds(args.desired);
  const have = args.observed.inventory;
  return have === undefined ? want.length > 0 : have.length !== want.length || have.some((id, i) => id !== want[i]);
}

/**
 * Builds the host script for `steps` (a plan's steps, possibly with clean steps added). Throws DroverError
 * E_APPLY_INVALID for values that must not reach the host (see the action builders).
 */
export function buildHostScript(args: BuildScriptArgs): HostScript {
  const a: Assembly = {
    args, byId: new Map(args.desired.resources.map((r) => [r.id, r])),
    notified: new Set([...(args.observed.pending ?? []), ...args.steps.filter((s) => s.action !== 'none' && s.mayChange === undefined).flatMap((s) => s.notifies)]),
    maybeNotified: new Set(args.steps.filter((s) => s.mayChange !== undefined).flatMap((s) => s.notifies)),
    handlers: new Set(args.steps.filter((s) => s.phase === 'handler').map((s) => s.resource)),
    files: [], entries: [], functions: [], calls: [], tests: [], packagesDone: { install: false, remove: false }, reruns: [],
  };
  const spans = spansBy(args.steps, (s) => s.group);
  const named = spansBy(args.steps, (s) => s.name);
  args.steps.forEach((step, i) => {
    const span = spans.get(step.group);
    if (span?.runs && span.first === i) addHooks(a, hooksOf(a, step.group, 'pre'), step.group);
    addStep(a, step, { index: i, named: named.get(step.name) });
    if (span?.runs && span.last === i) addHooks(a, hooksOf(a, step.group, 'post'), step.group);
  });
  const writeInventory = !args.partial && inventoryChanged(args);
  const inventory = writeInventory ? `_meta "$_INV" < ${stage(a, Buffer.from(inventoryContent(args.desired)))}` : undefined;
  // A whole plan settles every notification; a part of it (drover run) only those its steps settled (_pend_del).
  const clearPending = args.partial ? [] : ['rm -f "$_PF"'];
  // A run that changes something is guarded (when asked) and drops the record of the last undo.
  const guard = a.calls.length > 0 ? args.guard : undefined;
  const script = assembleMain({
    token: args.token, functions: a.functions, calls: a.calls, inventory: inventoryPath(args.desired.settings.repository), resources: args.desired.resources,
    onSuccess: [...clearPending, ...(inventory ? [inventory] : []), ...a.tests], ...(a.calls.length > 0 ? { preamble: guardPreamble(guard) } : {}),
  });
  const needsRun = a.functions.length > 0 || (!args.partial && (args.observed.pending ?? []).length > 0) || writeInventory;
  const files = [...a.files, ...(guard ? guardFiles(guard, a.reruns) : [])];
  // run.sh goes last: an archive cut short (a dropped connection) never holds a script to run.
  return { script, files: [...files, { name: 'run.sh', content: Buffer.from(script, 'utf8') }], entries: a.entries, needsRun, guarded: guard !== undefined };
}
