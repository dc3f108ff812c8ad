import { describe, expect, it } from 'vitest';
import { planHost } from '../../../controller/plan/plan-host.js';
import { selectSteps } from '../../../controller/plan/select-steps.js';
import { loadPlanCase } from './plan-fixtures.js';

describe('selectSteps (drover run HOST STEP)', () => {
  it('keeps one work step with its backup and the handler it triggers', () => {
    const c = loadPlanCase('notify-handlers');
    const plan = planHost(c.desired, c.observed);
    const regen = plan.steps.find((s) => s.phase === 'regen' && s.action !== 'none' && s.notifies.length > 0);
    expect(regen).toBeDefined();
    const narrowed = selectSteps(plan, c.desired, regen!.name);
    const kept = narrowed.steps.map((s) => s.name);
    expect(kept).toContain(regen!.name);
    expect(narrowed.steps.filter((s) => s.phase === 'handler').every((s) => s.triggeredBy?.includes(regen!.resource))).toBe(true);
    expect(narrowed.steps.filter((s) => s.phase === 'handler').length).toBeGreaterThan(0);
    expect(narrowed.steps.every((s) => s.resource === regen!.resource || s.phase === 'handler')).toBe(true);
  });

  it('keeps the steps of resources a step depends on', () => {
    const c = loadPlanCase('depends-on');
    const plan = planHost(c.desired, c.observed);
    const withDeps = c.desired.resources.find((r) => r.dependsOn.length > 0)!;
    const step = plan.steps.find((s) => s.resource === withDeps.id && s.phase !== 'backup')!;
    const kept = new Set(selectSteps(plan, c.desired, step.name).steps.map((s) => s.resource));
    for (const dep of withDeps.dependsOn) expect(kept.has(dep)).toBe(true);
  });

  it('names the steps there are when the step is unknown', () => {
    const c = loadPlanCase('in-sync');
    const plan = planHost(c.desired, c.observed);
    expect(() => selectSteps(plan, c.desired, 'regen_nothing')).toThrow(/has no step "regen_nothing"; steps: setup_/);
  });
});
