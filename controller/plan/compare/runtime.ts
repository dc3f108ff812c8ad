import type { DesiredResource } from '../../../manifests/types.js';
import type { CommandFact, ServiceFact } from '../../facts/types.js';
import type { CommandResource, ServiceResource } from '../../../schema/generated/resource.js';
import { UNCHANGED, type Verdict } from '../types.js';
import { guardEffects, type EarlierChange } from './guard-effects.js';

/** What earlier steps of the same plan will do, for compares that depend on it. */
export interface RunContext {
  /** Ids of resources that earlier steps change. */
  changed: ReadonlySet<string>;
  /** Ids of resources that notify this one and change earlier in this run. */
  notifiedBy: readonly string[];
  /** Ids of resources whose earlier step may or may not change something (decided on the host). */
  uncertain: ReadonlySet<string>;
  /** Paths that earlier steps create or change (files, directories, git checkouts). */
  pathsTouched: ReadonlySet<string>;
  /** Some package is installed or changed earlier in this run (it may bring service units). */
  packagesChange: boolean;
  /** The steps before this one that change (or may change) their resource, in run order. */
  earlier: readonly EarlierChange[];
  /** Ids this resource depends on, directly or through others. */
  dependsOn: ReadonlySet<string>;
}

/** Compares a service: enabled at boot and running/stopped now. */
export function compareService(resource: DesiredResource<'service'>, fact: ServiceFact, ctx: RunContext): Verdict {
  const spec = resource.spec;
  if (!fact.known) {
    if (ctx.packagesChange) {
      return { action: 'create', reasons: [`service ${spec.name} not installed yet -> comes with a package installed earlier in this run${describeWanted(spec)}`] };
    }
    return { action: 'create', reasons: [`service ${spec.name} not found by ${fact.manager} (is its package or unit declared?)`] };
  }
  const reasons: string[] = [];
  const wantEnabled = spec.enabled ?? true;
  if (fact.enabled !== wantEnabled) {
    reasons.push(`service ${spec.name} ${fact.enabled ? 'enabled' : 'disabled'} -> ${wantEnabled ? 'enabled' : 'disabled'}`);
  }
  const wantActive = (spec.state ?? 'running') === 'running';
  if (fact.active !== wantActive && fact.live) {
    reasons.push(`service ${spec.name} ${fact.activeState ?? (fact.active ? 'active' : 'inactive')} -> ${wantActive ? 'active' : 'inactive'}`);
  }
  return reasons.length > 0 ? { action: 'update', reasons } : UNCHANGED;
}

function describeWanted(spec: ServiceResource): string {
  const parts = [spec.enabled !== false ? 'enabled' : undefined, spec.state !== 'stopped' ? 'active' : undefined].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/**
 * Decides whether a command runs. Guards were evaluated by the probe before any change; when an earlier
 * step of this run can change what a guard looks at (see guard-effects.ts), a "skip" verdict may be stale,
 * so it is "may change", naming those steps.
 */
export function compareCommand(resource: DesiredResource<'command'>, fact: CommandFact, ctx: RunContext): Verdict {
  const spec = resource.spec;
  const definite = ctx.notifiedBy.filter((id) => !ctx.uncertain.has(id));
  if (definite.length > 0) return { action: 'update', reasons: [`runs: notified by ${definite.join(', ')}`] };
  const verdict = guardVerdict(spec, fact, ctx);
  if (ctx.notifiedBy.length === 0 || (verdict.action !== 'none' && verdict.mayChange === undefined)) return verdict;
  // Every notifier decides on the host: the run records the notification only if one changes something.
  return { action: 'update', reasons: [], mayChange: `runs if ${ctx.notifiedBy.join(', ')} change something; decided at run time` };
}

function guardVerdict(spec: CommandResource, fact: CommandFact, ctx: RunContext): Verdict {
  if (spec.refreshOnly) return UNCHANGED;
  if (spec.always) return { action: 'update', reasons: ['runs on every apply (always: true)'] };
  const runReasons: string[] = [];
  const skipReasons: string[] = [];
  if (spec.creates !== undefined) (fact.createsExists ? skipReasons : runReasons).push(`${spec.creates} ${fact.createsExists ? 'exists' : 'absent'}`);
  if (spec.unless !== undefined) (fact.unlessOk ? skipReasons : runReasons).push(`unless \`${spec.unless}\` ${fact.unlessOk ? 'succeeded' : `failed (exit ${fact.unlessStatus})`}`);
  if (spec.onlyIf !== undefined) (fact.onlyIfOk ? runReasons : skipReasons).push(`onlyIf \`${spec.onlyIf}\` ${fact.onlyIfOk ? 'succeeded' : `failed (exit ${fact.onlyIfStatus})`}`);
  if (skipReasons.length === 0) {
    const created = spec.creates !== undefined && touchedEarlier(spec.creates, ctx);
    return created
      ? { action: 'update', reasons: [`runs: ${runReasons.join('; ')}`], mayChange: `${spec.creates} is written by an earlier step of this run; decided at run time` }
      : { action: 'update', reasons: [`runs: ${runReasons.join('; ')}`] };
  }
  const guards = [spec.unless, spec.onlyIf].filter((g): g is string => g !== undefined).join('\n');
  const effects = guards === '' ? [] : guardEffects({ text: guards, cwd: spec.cwd }, ctx.dependsOn, ctx.earlier);
  if (effects.length === 0) return UNCHANGED;
  const shown = effects.length > 3 ? [...effects.slice(0, 3), `${effects.length - 3} more`] : effects;
  return { action: 'update', reasons: [], mayChange: `${skipReasons.join('; ')} before this run, but ${shown.join(', ')} ${effects.length > 1 ? 'run' : 'runs'} earlier; decided at run time` };
}

/** True when an earlier step of this run writes `path` or a directory above it. */
function touchedEarlier(path: string, ctx: RunContext): boolean {
  return [...ctx.pathsTouched].some((p) => path === p || path.startsWith(`${p}/`));
}
