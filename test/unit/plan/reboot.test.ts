import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BootFact } from '../../../controller/facts/types.js';
import { compareKernelReleases, rebootAction, rebootNeed, type RebootNeed } from '../../../controller/plan/reboot.js';

interface Case {
  name: string;
  boot: BootFact;
  changed?: string[];
  need: RebootNeed;
  actions: Record<'never' | 'report' | 'auto' | 'auto-not-now', string>;
}

const cases = JSON.parse(readFileSync(new URL('../../fixtures/reboot/decisions.json', import.meta.url), 'utf8')) as Case[];

describe('the reboot decision (test/fixtures/reboot/decisions.json)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const need = rebootNeed(c.boot, c.changed);
      expect(need).toEqual(c.need);
      expect({
        never: rebootAction(need, { mode: 'never', mayReboot: true }),
        report: rebootAction(need, { mode: 'report', mayReboot: true }),
        auto: rebootAction(need, { mode: 'auto', mayReboot: true }),
        'auto-not-now': rebootAction(need, { mode: 'auto', mayReboot: false }),
      }).toEqual(c.actions);
      // No mode declared is `report`.
      expect(rebootAction(need, { mode: undefined, mayReboot: true })).toBe(c.actions.report);
    });
  }

  it('needs nothing without boot facts (a partial observation)', () => {
    expect(rebootNeed(undefined, ['file:/x'])).toEqual({ required: false, reasons: [] });
  });

  it('orders kernel releases as people read them', () => {
    const sorted = ['6.1.0-21-amd64', '5.10.0-28-amd64', '6.1.0-9-amd64', '6.10.1-1-amd64', '6.1.0-9-amd64+1'].sort(compareKernelReleases);
    expect(sorted).toEqual(['5.10.0-28-amd64', '6.1.0-9-amd64', '6.1.0-9-amd64+1', '6.1.0-21-amd64', '6.10.1-1-amd64']);
    expect(compareKernelReleases('6.1.0', '6.1.0')).toBe(0);
  });
});
