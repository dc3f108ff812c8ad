import { DroverError } from '../../manifests/errors.js';
import type { DesiredState } from '../../manifests/types.js';
import { summarise } from './plan-host.js';
import type { Plan } from './types.js';

/**
 * Narrows a plan to one named step (`regen_etc_nginx_nginx_conf`) or compound step (`setup_nginx`) and what it
 * needs: the steps of resources it depends on (transitively, via dependsOn), the backups of the files
 * it writes, and the handlers its changes trigger. Order is the plan's. Throws DroverError
 * E_UNKNOWN_STEP (with the closest names) when no step or group has that name.
 */
export function selectSteps(plan: Plan, desired: DesiredState, name: string): Plan {
  const chosen = plan.steps.filter((s) => s.name === name || s.group === name);
  if (chosen.length === 0) {
    const names = [...new Set(plan.steps.flatMap((s) => [s.group, s.name]))];
    throw new DroverError('E_UNKNOWN_STEP', `${plan.host} has no step "${name}"; steps: ${names.join(', ')}`);
  }
  const resources = new Set(chosen.map((s) => s.resource));
  const deps = new Map(desired.resources.map((r) => [r.id, r.dependsOn]));
  const queue = [...resources];
  while (queue.length > 0) {
    for (const dep of deps.get(queue.pop() as string) ?? []) {
      if (!resources.has(dep)) { resources.add(dep); queue.push(dep); }
    }
  }
  const kept = plan.steps.filter((s) => s.phase !== 'handler' && resources.has(s.resource));
  const changing = new Set(kept.filter((s) => s.action !== 'none').map((s) => s.resource));
  const handlers = plan.steps.filter((s) => s.phase === 'handler' && (s.triggeredBy ?? []).some((id) => changing.has(id)));
  const steps = plan.steps.filter((s) => kept.includes(s) || handlers.includes(s));
  return { host: plan.host, steps, summary: summarise(steps), inSync: steps.every((s) => s.action === 'none' && !s.mayChange) };
}
