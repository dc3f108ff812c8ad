/**
 * What one revision changes in a host's desired state compared with another (pure): which resources
 * and checks are added, changed or removed, and whether host-wide fields differ. A plan step comes
 * "from the change" when it works on one of them; every other step that would change is drift the
 * revision does not touch. Source positions never count (a moved declaration changes nothing).
 */
import { stableJson } from '../../../manifests/stable-json.js';
import type { DesiredState } from '../../../manifests/types.js';
import { summarise } from '../../plan/plan-host.js';
import type { Plan, PlanStep } from '../../plan/types.js';
import type { HostChange } from './types.js';

/** How a revision touches one host. */
export interface DesiredChange {
  change: Exclude<HostChange, 'removed'>;
  /** Resource ids and `test:<role>/<name>` checks added, changed or removed, sorted. */
  resources: string[];
  /** Host-wide parts that differ: `host` (connection, platform, policies), `hooks`, `settings`. */
  other: string[];
}

/** The connection and policy fields of a host that reach it (its data reaches it through resources). */
const HOST_FIELDS = ['address', 'port', 'user', 'sudo', 'platform', 'family', 'state', 'reconcile', 'rollbackOnFailedTests'] as const;

/**
 * Compares `head` (the previewed revision's desired state of a host) with `base` (the same host in the
 * base revision; undefined when the host is new there). A new host is `added` with every resource.
 */
export function desiredChange(base: DesiredState | undefined, head: DesiredState): DesiredChange {
  const after = parts(head);
  if (!base) return { change: 'added', resources: [...after.keys()].sort(), other: [] };
  const before = parts(base);
  const ids = new Set([...before.keys(), ...after.keys()]);
  const resources = [...ids].filter((id) => before.get(id) !== after.get(id)).sort();
  const other = [
    ...(HOST_FIELDS.some((f) => stableJson(base.host[f]) !== stableJson(head.host[f])) ? ['host'] : []),
    ...(stableJson(base.hooks) !== stableJson(head.hooks) ? ['hooks'] : []),
    ...(stableJson(base.settings) !== stableJson(head.settings) ? ['settings'] : []),
  ];
  return { change: resources.length > 0 || other.length > 0 ? 'changed' : 'unchanged', resources, other };
}

/**
 * True when `step` comes from the change: the host is new, the step works on a resource the change
 * touches (its backup and clean steps included), a handler is notified by one, or a hook of the host
 * changed (hooks run around steps, so every step of such a host counts).
 */
export function fromChange(step: PlanStep, change: DesiredChange): boolean {
  if (change.change === 'added' || change.other.includes('hooks')) return true;
  const touched = new Set(change.resources);
  return touched.has(step.resource) || (step.triggeredBy ?? []).some((id) => touched.has(id));
}

/**
 * `plan` as two plans of the same host: `own`, the steps that come from the change (fromChange), and
 * `drift`, every other step; each with its own summary and in-sync flag. Pure.
 */
export function splitPlan(plan: Plan, change: DesiredChange): { own: Plan; drift: Plan } {
  const part = (steps: PlanStep[]): Plan => ({
    host: plan.host, steps, summary: summarise(steps), inSync: steps.every((s) => s.action === 'none' && s.mayChange === undefined),
  });
  return { own: part(plan.steps.filter((s) => fromChange(s, change))), drift: part(plan.steps.filter((s) => !fromChange(s, change))) };
}

/** Resource id (and test id) -> its stable text. */
function parts(desired: DesiredState): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of desired.resources) out.set(r.id, stableJson(r));
  for (const t of desired.tests) out.set(`test:${t.role}/${t.name}`, stableJson(t));
  return out;
}
