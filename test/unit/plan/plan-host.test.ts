import { describe, expect, it } from 'vitest';
import { planHost } from '../../../controller/plan/plan-host.js';
import { DroverError } from '../../../manifests/errors.js';
import type { ObservedState } from '../../../controller/facts/types.js';
import { loadPlanCase, planCaseNames } from './plan-fixtures.js';

/** The same observation with its facts listed in the opposite order. */
function reversedFacts(observed: ObservedState): ObservedState {
  return { ...observed, resources: Object.fromEntries(Object.entries(observed.resources).reverse()) };
}

describe('planHost (fixtures: desired + observed -> expected plan)', () => {
  for (const name of planCaseNames()) {
    it(name, () => {
      const c = loadPlanCase(name);
      if ('error' in c.expected) {
        const { code, message } = c.expected.error;
        let thrown: unknown;
        try {
          planHost(c.desired, c.observed);
        } catch (err) {
          thrown = err;
        }
        expect(thrown).toBeInstanceOf(DroverError);
        expect((thrown as DroverError).code).toBe(code);
        expect((thrown as DroverError).message).toBe(message);
        return;
      }
      const inputs = structuredClone({ desired: c.desired, observed: c.observed });
      const plan = planHost(c.desired, c.observed);
      expect(plan).toEqual(c.expected.plan);
      // Pure and deterministic: inputs untouched, same plan again and with facts in another order,
      // and plain JSON (no undefined-valued keys, no class instances).
      expect({ desired: c.desired, observed: c.observed }).toStrictEqual(inputs);
      expect(planHost(c.desired, c.observed)).toStrictEqual(plan);
      expect(planHost(c.desired, reversedFacts(c.observed))).toStrictEqual(plan);
      expect(JSON.parse(JSON.stringify(plan))).toStrictEqual(plan);
      // A plan carries hashes, never file contents (which may hold secret placeholders or data).
      const json = JSON.stringify(plan);
      for (const r of c.desired.resources) {
        const text = r.content?.text;
        if (text !== undefined && text.length >= 8) expect(json).not.toContain(JSON.stringify(text).slice(1, -1));
      }
    });
  }
});
