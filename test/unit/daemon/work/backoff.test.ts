import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nextDelay } from '../../../../controller/daemon/work/backoff.js';
import { seededRandom } from '../../../support/manual-clock.js';

interface BackoffCase {
  name: string;
  baseMs: number;
  maxMs: number;
  steps: { failures: number; random: number; delay: number }[];
}

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../../../fixtures/daemon/backoff.json'), 'utf8')) as { cases: BackoffCase[] };

describe('nextDelay', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const delays = c.steps.map((s) => nextDelay(s.failures, { baseMs: c.baseMs, maxMs: c.maxMs, random: () => s.random }));
      expect(delays).toEqual(c.steps.map((s) => s.delay));
    });
  }

  it('stays within [step/2, step) and under the cap for a seeded random sequence', () => {
    const random = seededRandom(42);
    const seen = new Set<number>();
    for (let failures = 1; failures <= 40; failures++) {
      const step = Math.min(300_000, 10_000 * 2 ** (failures - 1));
      const delay = nextDelay(failures, { baseMs: 10_000, maxMs: 300_000, random });
      expect(delay).toBeGreaterThanOrEqual(step / 2);
      expect(delay).toBeLessThan(step);
      seen.add(delay);
    }
    // Jitter: capped delays still differ from one retry to the next.
    expect(seen.size).toBeGreaterThan(30);
  });
});
