import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Fact, ObservedState } from '../../../controller/facts/types.js';
import { planHost } from '../../../controller/plan/plan-host.js';
import { desiredState, resource } from '../../support/desired.js';
import { specFields, type ResourceKind } from '../../../manifests/types.js';

interface PendingCase {
  name: string;
  resources: { id: string; spec?: Record<string, unknown>; notify?: string[]; changed?: boolean }[];
  pending: string[];
  expected: [string, string, string][];
}

const FIXTURE = JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/apply/plan-pending.json'), 'utf8')) as { cases: PendingCase[] };
const OLD = '1'.repeat(64);
const NEW = '2'.repeat(64);

/** Facts of a host where every resource is as declared (a file marked `changed` has other content). */
function factOf(kind: ResourceKind, changed: boolean, spec: Record<string, unknown>): Fact {
  if (kind === 'file') return { kind: 'file', exists: true, type: 'file', mode: '0644', owner: 'root', group: 'root', sha256: changed ? OLD : NEW };
  if (kind === 'service') {
    const active = spec.state !== 'stopped';
    return { kind: 'service', manager: 'systemd', known: true, enabled: spec.enabled !== false, active, live: true };
  }
  return { kind: 'command' };
}

describe('planHost with pending notifications (fixture plan-pending.json)', () => {
  for (const c of FIXTURE.cases) {
    it(c.name, () => {
      const resources = c.resources.map((r) => {
        const kind = r.id.slice(0, r.id.indexOf(':')) as ResourceKind;
        const key = r.id.slice(r.id.indexOf(':') + 1);
        const keySpec = kind === 'file' ? { path: key } : { name: key };
        const content = kind === 'file' ? { content: { text: 'x', sha256: NEW, secrets: [] } } : {};
        return resource(kind, key, { ...keySpec, ...r.spec }, { notify: r.notify ?? [], ...content });
      });
      const observed: ObservedState = {
        host: 'web1', observedAt: '', pending: c.pending,
        platform: { id: 'debian', family: 'debian', version: '12', packageManager: 'apt', initSystem: 'systemd' },
        resources: Object.fromEntries(c.resources.map((r, i) => [r.id, factOf(resources[i]!.kind, r.changed === true, specFields(resources[i]!))])),
      };
      const plan = planHost(desiredState('web1', resources), observed);
      const work = plan.steps.filter((s) => s.action !== 'none' && s.phase !== 'backup');
      expect(work.map((s) => [s.name, s.phase, s.reasons.join('; ')])).toEqual(c.expected);
      expect(plan.inSync).toBe(c.expected.length === 0);
    });
  }
});
