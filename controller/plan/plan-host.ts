import { wantsAbsent, type DesiredResource, type DesiredState } from '../../manifests/types.js';
import type { ObservedState } from '../facts/types.js';
import { withCleanSteps } from './clean.js';
import { withPurgeSteps } from './purge.js';
import { compareResource, type RunContext } from './compare/index.js';
import { dependsOnClosure, type EarlierChange } from './compare/guard-effects.js';
import { groupName, nameSteps, slug, workPhase } from './naming.js';
import { orderResources } from './order.js';
import { checkPlatform } from './platform.js';
import { markRewrite, replacesSecretValue, withReplacedSecrets } from './secret-values.js';
import type { Plan, PlanStep, PlanSummary, Verdict } from './types.js';

const PATH_KINDS = new Set(['file', 'directory', 'git', 'symlink']);

/** What a caller may ask of planHost beyond the desired and observed states. */
export interface PlanOptions {
  /** Resource ids whose changes are listed, never run (resources in Conflict: self-heal paused for them). */
  held?: ReadonlySet<string>;
}

/** Appended to the reasons of a held resource's step. */
export const HELD_REASON = 'not applied: the resource is in Conflict (it drifted back after repeated repairs); a commit changing it or `drover sync --force-conflict` lets drover apply it again';

function heldStep(step: PlanStep): PlanStep {
  const { mayChange: _mayChange, ...rest } = step;
  return { ...rest, reasons: [...step.reasons, HELD_REASON], report: true };
}

/**
 * Plans one host: a pure, deterministic function of what is desired and what was observed.
 * Steps come in resource order (dependsOn, kind, declaration); a file whose content changes
 * gets a backup step before it; notified services get one handler step each, after all work
 * steps; role tests come last. With settings.prune, what the host's inventory lists and the manifests
 * no longer declare gets a clean step before the handlers, and so does each undeclared entry of a
 * directory with `purge` (purge.ts; `purge: report` steps are listed, never run, and leave `inSync`). A resource in
 * `options.held` (in Conflict: self-heal paused for it) that differs gets a step listed the same way, which
 * notifies nothing and takes no backup. Throws DroverError E_DEPENDENCY_CYCLE on
 * dependsOn cycles, E_PLATFORM_MISMATCH when the host is not of its declared platform family.
 */
export function planHost(desired: DesiredState, observed: ObservedState, options: PlanOptions = {}): Plan {
  checkPlatform(desired, observed);
  const ordered = orderResources(desired.resources);
  const names = nameSteps(ordered, desired.host.family);
  const changed = new Set<string>();
  const pathsTouched = new Set<string>();
  const notifiers = new Map<string, string[]>();
  const uncertain = new Set<string>();
  const earlier: EarlierChange[] = [];
  const byId = new Map(desired.resources.map((r) => [r.id, r]));
  const replacedSecrets = new Set<string>();
  const steps: PlanStep[] = [];
  let packagesChange = false;
  for (const r of ordered) {
    const notifiedBy = notifiers.get(r.id) ?? [];
    const dependsOn = r.kind === 'command' ? dependsOnClosure(byId, r.id) : new Set<string>();
    const ctx: RunContext = { changed, notifiedBy, uncertain, pathsTouched, packagesChange, earlier, dependsOn };
    const base = withPackageEffects(r, withPending(r, compareResource(r, observed.resources[r.id], ctx), observed), packagesChange);
    const verdict = withReplacedSecrets(r, base, replacedSecrets);
    const step = workStep(r, verdict, names.get(r.id) ?? r.id, desired.host.name, observed);
    if (verdict !== base) markRewrite(step);
    if (options.held?.has(r.id) && (step.action !== 'none' || step.mayChange !== undefined)) {
      steps.push(heldStep(step));
      continue;
    }
    if (replacesSecretValue(r, step, observed)) replacedSecrets.add(r.key);
    if (needsBackup(r, step)) steps.push(backupStep(step));
    steps.push(step);
    if (step.action === 'none') continue;
    changed.add(r.id);
    earlier.push({ resource: r, step: step.name });
    if (step.mayChange !== undefined) uncertain.add(r.id);
    if (r.kind === 'package') packagesChange = true;
    if (PATH_KINDS.has(r.kind)) pathsTouched.add(r.key);
    for (const target of r.notify) notifiers.set(target, [...(notifiers.get(target) ?? []), r.id]);
  }
  const pending = new Set(observed.pending ?? []);
  const handlers = handlerSteps(ordered, notifiers, observed, desired.host.name);
  steps.push(...handlers.map((h) => (pending.has(h.resource) ? h : withUncertainTriggers(h, uncertain))));
  steps.push(...testSteps(desired));
  const all = withPurgeSteps(desired, observed, withCleanSteps(desired, observed, steps));
  return { host: desired.host.name, steps: all, summary: summarise(all), inSync: all.every((s) => s.report === true || (s.action === 'none' && !s.mayChange)) };
}

/** A notified command that an earlier run recorded as pending on the host (and did not run) runs now. */
function withPending(r: DesiredResource, verdict: Verdict, observed: ObservedState): Verdict {
  if (r.kind !== 'command' || !(observed.pending ?? []).includes(r.id)) return verdict;
  if (verdict.action !== 'none' && verdict.mayChange === undefined) return { ...verdict, reasons: [...verdict.reasons, PENDING_REASON] };
  return { action: 'update', reasons: [`runs: ${PENDING_REASON}`] };
}

const PENDING_REASON = 'pending from an earlier run';

const ABSENT_KINDS = new Set(['file', 'directory', 'symlink']);

/**
 * A path wanted absent and absent now may be created by a package installed earlier in this run (Debian's
 * apache2 enables its default site): its step runs and decides on the host.
 */
function withPackageEffects(r: DesiredResource, verdict: Verdict, packagesChange: boolean): Verdict {
  if (!packagesChange || verdict.action !== 'none' || !ABSENT_KINDS.has(r.kind) || !wantsAbsent(r)) return verdict;
  return { ...verdict, mayChange: 'a package installed earlier in this run may create it; decided at run time' };
}

function workStep(r: DesiredResource, verdict: Verdict, name: string, hostName: string, observed: ObservedState): PlanStep {
  const step: PlanStep = {
    name, phase: workPhase(r), group: groupName(r, hostName), resource: r.id, kind: r.kind,
    action: verdict.action, reasons: verdict.reasons, notifies: r.notify,
  };
  if (verdict.mayChange !== undefined) step.mayChange = verdict.mayChange;
  const fact = observed.resources[r.id];
  if (r.kind === 'file' && r.content !== undefined) {
    const before = fact?.kind === 'file' ? fact.sha256 : undefined;
    step.content = { after: r.content.sha256, secrets: r.content.secrets, binary: r.content.base64 !== undefined };
    if (before !== undefined) step.content.before = before;
  }
  return step;
}

/** A regular file about to get new content is backed up first, unless `backup: false`; attribute-only changes keep the content. */
function needsBackup(r: DesiredResource, step: PlanStep): boolean {
  if (r.kind !== 'file' || step.action !== 'update' || r.spec.backup === false) return false;
  return step.content?.before !== undefined && step.content.before !== step.content.after;
}

function backupStep(step: PlanStep): PlanStep {
  return {
    name: `backup_${step.name.replace(/^regen_/, '')}`, phase: 'backup', group: step.group, resource: step.resource, kind: step.kind,
    action: 'update', reasons: [`keep the current content (sha256 ${step.content?.before?.slice(0, 8) ?? 'none'}) in the host's backup store`], notifies: [],
  };
}

/**
 * One handler step per notified service (restart or reload), except a service wanted stopped and one
 * observed stopped: its own step starts it after the changes. A service that comes with a package of
 * this run keeps its handler, as package installs may start it (Debian does) before its config lands.
 */
function handlerSteps(ordered: DesiredResource[], notifiers: Map<string, string[]>, observed: ObservedState, hostName: string): PlanStep[] {
  const handlers: PlanStep[] = [];
  const pending = new Set(observed.pending ?? []);
  for (const r of ordered) {
    const by = notifiers.get(r.id);
    if (r.kind !== 'service' || (by === undefined && !pending.has(r.id))) continue;
    const spec = r.spec;
    if (spec.state === 'stopped') continue;
    const fact = observed.resources[r.id];
    if (fact?.kind === 'service' && fact.known && fact.live && !fact.active) continue;
    const verb = spec.onNotify ?? 'restart';
    const why = [...(by ? [`notified by ${by.join(', ')}`] : []), ...(pending.has(r.id) ? [PENDING_REASON] : [])];
    handlers.push({
      name: `${verb}_${slug(r.key)}`, phase: 'handler', group: groupName(r, hostName), resource: r.id, kind: 'service',
      action: 'update', reasons: [`${verb} ${r.key}: ${why.join('; ')}`], notifies: [], triggeredBy: by ?? [],
    });
  }
  return handlers;
}

/**
 * A handler notified only by steps decided at run time (a guarded command that may find nothing to do)
 * may change: the host runs it only when one of them recorded the notification (see apply).
 */
function withUncertainTriggers(handler: PlanStep, uncertain: ReadonlySet<string>): PlanStep {
  const by = handler.triggeredBy ?? [];
  if (by.length === 0 || !by.every((id) => uncertain.has(id))) return handler;
  return { ...handler, mayChange: `only when ${by.join(', ')} changes something; decided at run time` };
}

function testSteps(desired: DesiredState): PlanStep[] {
  return desired.tests.map((t) => ({
    name: `test_${slug(t.role)}_${slug(t.name)}`, phase: 'test' as const, group: `setup_${slug(t.role)}`, resource: `test:${t.role}/${t.name}`,
    kind: 'test' as const, action: 'none' as const, reasons: [describeTest(t)], notifies: [],
  }));
}

function describeTest(t: DesiredState['tests'][number]): string {
  if (t.http) return `expects HTTP ${t.http.status} from ${t.http.url}`;
  if (t.tcp) return `expects TCP ${t.tcp.host}:${t.tcp.port} open`;
  return `expects \`${t.command}\` to exit 0`;
}

/** Counts a plan's work steps by action (backups, handlers and tests are not counted). */
export function summarise(steps: PlanStep[]): PlanSummary {
  const work = steps.filter((s) => (s.phase === 'install' || s.phase === 'regen' || s.phase === 'clean') && s.report !== true);
  const reported = steps.filter((s) => s.report === true).length;
  return {
    create: work.filter((s) => s.action === 'create').length,
    update: work.filter((s) => s.action === 'update' && !s.mayChange).length,
    delete: work.filter((s) => s.action === 'delete').length,
    unchanged: work.filter((s) => s.action === 'none' && s.mayChange === undefined).length,
    mayChange: steps.filter((s) => s.mayChange !== undefined).length,
    ...(reported > 0 ? { reported } : {}),
  };
}
