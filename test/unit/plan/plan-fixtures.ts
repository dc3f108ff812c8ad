/**
 * Reads the plan fixtures (test/fixtures/plan/<case>/{desired,observed,expected}.json) and fills the
 * fields every case would repeat, so each file holds only what the case is about:
 * - desired: a resource's `kind`/`key` come from its `id`, `spec.kind` and the spec's key field
 *   (`name`, `path` or `key`) from the id, `origin`/`dependsOn`/`notify` default to a dummy origin and [];
 *   the host gets inventory defaults; `tests`/`hooks` default to [], settings to the repository defaults.
 * - observed: `host` from the desired host, a Debian 12 platform (apt, systemd) unless given, a fixed `observedAt`.
 * - expected: `host` from the desired host; each step's `kind` from its resource id, `group` `setup_<host>`,
 *   `reasons` and `notifies` [] unless given. Nothing is filled from the engine's output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesiredState, DesiredTest, HostInfo } from '../../../manifests/types.js';
import type { ObservedState, PlatformFact } from '../../../controller/facts/types.js';
import type { Plan, PlanStep, PlanSummary } from '../../../controller/plan/types.js';
import { resourceFromFixture, type ResourceFixture } from '../../support/desired.js';

/** Directory holding one sub-directory per case. */
export const PLAN_FIXTURES = join(import.meta.dirname, '../../fixtures/plan');

/** A step as written in expected.json. */
type StepFixture = Partial<PlanStep> & Pick<PlanStep, 'name' | 'phase' | 'resource' | 'action'>;

/** One fixture case, with every default filled. */
export interface PlanCase {
  name: string;
  desired: DesiredState;
  observed: ObservedState;
  /** The plan, or the error planning must throw (code and message fragment). */
  expected: { plan: Plan } | { error: { code: string; message: string } };
}

const DEBIAN: PlatformFact = { id: 'debian', family: 'debian', version: '12', packageManager: 'apt', initSystem: 'systemd' };

function readJson<T>(dir: string, file: string): T {
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;
}

function hostOf(host: Partial<HostInfo> & { name: string }): HostInfo {
  return {
    address: '10.0.0.1', port: 22, user: 'root', platform: 'debian', family: 'debian', state: 'default', sudo: false,
    groups: [], roles: [], data: {}, origin: { file: `hosts/${host.name}.yaml`, line: 1, col: 1 }, ...host,
  };
}

function desiredOf(raw: { host: Partial<HostInfo> & { name: string }; resources: ResourceFixture[]; tests?: Omit<DesiredTest, 'origin'>[] } & Partial<DesiredState>): DesiredState {
  return {
    host: hostOf(raw.host),
    resources: raw.resources.map(resourceFromFixture),
    tests: (raw.tests ?? []).map((t) => ({ origin: { file: `roles/${t.role}.yaml`, line: 1, col: 1 }, ...t })),
    hooks: raw.hooks ?? [],
    settings: raw.settings ?? { backups: 5, prune: false, concurrency: 20 },
  };
}

function observedOf(raw: Partial<ObservedState>, host: string): ObservedState {
  return { host, platform: DEBIAN, resources: {}, observedAt: '2025-01-01T00:00:00.000Z', ...raw };
}

function stepOf(s: StepFixture, host: string): PlanStep {
  const kind = s.resource.slice(0, s.resource.indexOf(':')) as PlanStep['kind'];
  return { group: `setup_${host}`, kind, reasons: [], notifies: [], ...s };
}

function expectedOf(raw: { steps: StepFixture[]; summary: PlanSummary; inSync: boolean } | { error: { code: string; message: string } }, host: string): PlanCase['expected'] {
  if ('error' in raw) return { error: raw.error };
  return { plan: { host, steps: raw.steps.map((s) => stepOf(s, host)), summary: raw.summary, inSync: raw.inSync } };
}

/** Loads one case directory. */
export function loadPlanCase(name: string): PlanCase {
  const dir = join(PLAN_FIXTURES, name);
  const desired = desiredOf(readJson(dir, 'desired.json'));
  const host = desired.host.name;
  return { name, desired, observed: observedOf(readJson(dir, 'observed.json'), host), expected: expectedOf(readJson(dir, 'expected.json'), host) };
}

/** Names of all case directories, sorted. */
export function planCaseNames(): string[] {
  return readdirSync(PLAN_FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
}
