import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conflictText, heldResources, trackConflicts, type ConflictFacts } from '../../../../controller/daemon/state/conflicts.js';

interface RunFixture {
  at: number;
  changed: string[];
  atConverged?: boolean;
  fingerprints?: Record<string, string>;
  notConverged?: string[];
  force?: boolean;
  expect: { held: string[]; declared: { resource: string; code: string; repairs: number[] }[] };
}

interface Policy { repairs: number; withinMs: number }

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../../../fixtures/daemon/conflicts.json'), 'utf8')) as {
  policy: Policy;
  fingerprints: Record<string, string>;
  cases: { name: string; policy?: Policy; runs: RunFixture[] }[];
};

describe('trackConflicts: runs in order, on the clock the fixture gives', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      let facts: ConflictFacts = {};
      c.runs.forEach((run, i) => {
        const fingerprints = new Map(Object.entries(run.fingerprints ?? fixture.fingerprints));
        const update = trackConflicts(facts, {
          now: run.at, runId: `run-${i}`, policy: c.policy ?? fixture.policy, fingerprints, atConverged: run.atConverged ?? true,
          changed: run.changed.map((resource) => ({ resource, steps: [`regen_${resource}`], reasons: ['content differs'] })),
          notConverged: run.notConverged ?? [], force: run.force ?? false,
        });
        facts = update.facts;
        const declared = update.declared.map((d) => ({ resource: d.resource, code: d.code, repairs: d.repairs.map((r) => r.at) }));
        expect({ run: i, declared }).toEqual({ run: i, declared: run.expect.declared });
        // What the next run at the same desired state holds (planned, never applied).
        expect({ run: i, held: [...heldResources(facts, fingerprints)].sort() }).toEqual({ run: i, held: run.expect.held });
      });
    });
  }
});

describe('a Conflict for people', () => {
  const conflict = (reason: 'drift' | 'not-idempotent') => trackConflicts({}, {
    now: 5000, runId: 'r', policy: { repairs: 1, withinMs: 600_000 }, fingerprints: new Map([['file:/etc/motd', 'm']]), atConverged: true,
    changed: [{ resource: 'file:/etc/motd', steps: ['regen_etc_motd'], reasons: ['content differs'], diff: ['--- a', '+++ b', '-x', '+hello'] }],
    notConverged: reason === 'drift' ? [] : ['file:/etc/motd'], force: false,
  }).declared[0]!;

  it('keeps each repair with what changed (reasons, the masked diff) and says what clears it', () => {
    const c = conflict('drift');
    expect(c).toMatchObject({ resource: 'file:/etc/motd', reason: 'drift', code: 'E_RESOURCE_CONFLICT', since: 5000 });
    expect(c.repairs).toEqual([{ at: 5000, runId: 'r', steps: ['regen_etc_motd'], reasons: ['content differs'], diff: ['--- a', '+++ b', '-x', '+hello'] }]);
    expect(c.message).toBe('drifted back after 1 repairs within 10m (something on the host keeps changing it); self-heal paused for it; a commit changing it or `drover sync --force-conflict` clears it');
    expect(conflictText([c])).toBe('; 1 resource in Conflict, self-heal paused: file:/etc/motd');
  });

  it('names a resource that does not converge as drover\'s bug, not the host\'s', () => {
    const c = conflict('not-idempotent');
    expect(c).toMatchObject({ reason: 'not-idempotent', code: 'E_NOT_IDEMPOTENT' });
    expect(c.repairs.map((r) => r.undone)).toEqual([true]);
    expect(c.message).toMatch(/^a fresh observation right after each of its last 1 applies still found it different: the resource does not converge \(a drover bug, not the host's/);
  });
});
