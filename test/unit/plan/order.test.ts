import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { orderResources } from '../../../controller/plan/order.js';
import { nameSteps } from '../../../controller/plan/naming.js';
import type { DesiredResource } from '../../../manifests/types.js';

const dir = join(import.meta.dirname, '../../fixtures/plan-order');

describe('resource order and step names (fixtures)', () => {
  for (const name of readdirSync(dir)) {
    it(name, () => {
      const resources = JSON.parse(readFileSync(join(dir, name, 'resources.json'), 'utf8')) as DesiredResource[];
      const expected = JSON.parse(readFileSync(join(dir, name, 'expected.json'), 'utf8')) as
        { order?: string[]; steps?: Record<string, string>; error?: string };
      if (expected.error !== undefined) {
        expect(() => orderResources(resources)).toThrow(expected.error);
        return;
      }
      expect(orderResources(resources).map((r) => r.id)).toEqual(expected.order);
      expect(Object.fromEntries(nameSteps(resources, 'debian'))).toEqual(expected.steps);
    });
  }
});
