/**
 * "No false in sync": a host that differs from its manifests in any compared field must never plan
 * as in sync. Starting from the in-sync fixture (every kind present and matching), each fact field
 * is flipped on its own; each flip must yield exactly one changed work step, for that resource, and
 * leave every other step as it was, apart from what the change implies (a backup before new file
 * content, the handlers of the services it notifies).
 */
import { describe, expect, it } from 'vitest';
import { planHost } from '../../../controller/plan/plan-host.js';
import type { Fact, ObservedState } from '../../../controller/facts/types.js';
import type { PlanStep } from '../../../controller/plan/types.js';
import { loadPlanCase, planCaseNames } from './plan-fixtures.js';

/**
 * Fixtures whose host matches its manifests (directory-purge-report: entries only reported, `purge: report`,
 * leave it in sync); every other plan fixture has something to change.
 */
const IN_SYNC_CASES = new Set(['in-sync', 'refresh-only-in-sync', 'directory-purge-report']);

/**
 * Fact fields the plan does not compare, by kind, and why. Every other field of the in-sync facts
 * is flipped.
 */
const NOT_COMPARED: Record<string, Record<string, string>> = {
  file: { uid: 'owner and group are compared by name', gid: 'by name', size: 'the sha256 covers it' },
  directory: { uid: 'owner and group are compared by name', gid: 'by name' },
  symlink: { uid: 'owner is compared by name' },
  user: { gid: 'the fixture declares the primary group by name (`group`), compared as primaryGroup' },
  group: { members: 'memberships are declared on users' },
  service: { manager: 'reported in reasons only', live: 'false means the active state could not be read' },
  git: { branch: 'the commit is compared, not the branch name' },
  secret: { path: 'where the probe looked' },
  ssh_key: { publicKey: 'reported, a key is never regenerated', type: 'a key is never regenerated' },
  cron: { path: 'where the probe looked' },
  sysctl: { persistPath: 'where the probe looked' },
};

/** Optional fields absent from the in-sync facts whose presence must also show as a change. */
const EXTRA_FLIPS: Flip[] = [
  { id: 'line:/etc/hosts:db.internal', field: 'regexpError', value: true },
];

interface Flip {
  id: string;
  field: string;
  value: unknown;
}

function flippedValue(field: string, value: unknown): unknown {
  if (field === 'type') return 'other';
  if (field === 'version') return '0.9.0-1'; // a suffix would still satisfy the pin's prefix
  if (typeof value === 'boolean') return !value;
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'string') return `${value}-changed`;
  if (Array.isArray(value)) return value.slice(1);
  throw new Error(`no flip for ${field}`);
}

function flipsOf(observed: ObservedState): Flip[] {
  const flips: Flip[] = [];
  for (const [id, fact] of Object.entries(observed.resources)) {
    for (const [field, value] of Object.entries(fact)) {
      if (field === 'kind' || NOT_COMPARED[fact.kind]?.[field] !== undefined) continue;
      flips.push({ id, field, value: flippedValue(field, value) });
    }
  }
  return [...flips, ...EXTRA_FLIPS];
}

function withFlip(observed: ObservedState, flip: Flip): ObservedState {
  const fact = { ...observed.resources[flip.id], [flip.field]: flip.value } as Fact;
  return { ...observed, resources: { ...observed.resources, [flip.id]: fact } };
}

const changes = (s: PlanStep): boolean => s.action !== 'none' || s.mayChange !== undefined;

describe('no false in sync', () => {
  const base = loadPlanCase('in-sync');
  const baseline = planHost(base.desired, base.observed);
  const flips = flipsOf(base.observed);

  it('the in-sync fixture plans in sync, and every fact field is flipped or listed as not compared', () => {
    expect(baseline.inSync).toBe(true);
    expect(new Set(flips.map((f) => f.id.split(':')[0]))).toEqual(new Set(base.desired.resources.map((r) => r.kind)));
    expect(flips.length).toBeGreaterThanOrEqual(40);
  });

  const drifted = planCaseNames().filter((n) => !IN_SYNC_CASES.has(n)).map(loadPlanCase).filter((c) => !('error' in c.expected));
  for (const c of drifted) {
    it(`fixture ${c.name} differs somewhere, so it is not in sync`, () => {
      const plan = planHost(c.desired, c.observed);
      expect(plan.inSync).toBe(false);
      expect(plan.steps.some((s) => (s.phase === 'install' || s.phase === 'regen') && changes(s))).toBe(true);
    });
  }

  for (const flip of flips) {
    it(`${flip.id} ${flip.field} -> ${JSON.stringify(flip.value)}`, () => {
      const plan = planHost(base.desired, withFlip(base.observed, flip));
      const resource = base.desired.resources.find((r) => r.id === flip.id);
      expect(plan.inSync).toBe(false);
      const work = plan.steps.filter((s) => (s.phase === 'install' || s.phase === 'regen') && changes(s));
      expect(work.map((s) => s.resource)).toEqual([flip.id]);
      expect(work[0]?.reasons.length).toBeGreaterThan(0);
      // What the change implies: a backup only for new content of a file; handlers of notified services.
      const backups = plan.steps.filter((s) => s.phase === 'backup');
      expect(backups.map((s) => s.resource)).toEqual(flip.id.startsWith('file:') && flip.field === 'sha256' ? [flip.id] : []);
      const handlers = plan.steps.filter((s) => s.phase === 'handler');
      expect(handlers.map((s) => s.resource)).toEqual(resource?.notify.filter((n) => n.startsWith('service:')) ?? []);
      for (const h of handlers) expect(h.triggeredBy).toEqual([flip.id]);
      // Nothing else moves.
      const others = (steps: PlanStep[]): PlanStep[] => steps.filter((s) => s.resource !== flip.id && s.phase !== 'handler');
      expect(others(plan.steps)).toEqual(others(baseline.steps));
    });
  }
});
