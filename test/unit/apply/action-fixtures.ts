/**
 * Reads the action fixtures (test/fixtures/apply/actions/<case>.json: a resource, the plan step, the
 * observed fact -> the sh text the builder must produce and the contents it stages) and runs the builder
 * a case names. Defaults filled so each file holds only what the case is about: the resource's `kind`/`key`
 * from its id, the step from the resource (action `create`, phase by kind), a Debian/apt observation.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesiredResource, DesiredState, DesiredTest } from '../../../manifests/types.js';
import type { Fact, ObservedState, PackageManager } from '../../../controller/facts/types.js';
import type { PlanStep } from '../../../controller/plan/types.js';
import {
  backupAction, buildWorkAction, handlerAction, installPackages, removePackages, restoreAction, testAction,
} from '../../../controller/apply/actions/index.js';
import { cleanAction } from '../../../controller/apply/prune.js';
import type { ActionScript } from '../../../controller/apply/types.js';
import { desiredState, resourceFromFixture, type ResourceFixture } from '../../support/desired.js';

/** Directory of the action cases. */
export const ACTION_FIXTURES = join(import.meta.dirname, '../../fixtures/apply/actions');

/** One case as stored. */
export interface ActionCase {
  description: string;
  /** work (default), install, remove, handler, test, backup, restore, clean. */
  builder?: 'work' | 'install' | 'remove' | 'handler' | 'test' | 'backup' | 'restore' | 'clean';
  resources?: ResourceFixture[];
  step?: Partial<PlanStep>;
  fact?: Fact;
  notified?: boolean;
  /** Notified only by steps that decide on the host (see ActionContext.maybeNotified). */
  maybeNotified?: boolean;
  packageManager?: PackageManager;
  test?: Omit<DesiredTest, 'origin'>;
  /** backup/restore/clean: the path or id; backups kept. */
  target?: string;
  keep?: number;
  expected?: { guard?: string; script: string; staged: string[] };
}

function stepOf(resource: DesiredResource | undefined, step: Partial<PlanStep> = {}): PlanStep {
  return {
    name: 'step', phase: 'install', group: 'setup_web1', resource: resource?.id ?? 'none', kind: resource?.kind ?? 'file',
    action: 'create', reasons: [], notifies: [], ...step,
  };
}

/** Runs the case's builder; returns the script and the staged contents (as UTF-8 text). */
export function runActionCase(c: ActionCase): { guard?: string; script: string; staged: string[] } {
  const resources = (c.resources ?? []).map(resourceFromFixture);
  const desired: DesiredState = desiredState('web1', resources);
  const first = resources[0];
  const observed: ObservedState = {
    host: 'web1', observedAt: '2025-01-01T00:00:00.000Z', resources: first && c.fact ? { [first.id]: c.fact } : {},
    platform: { id: 'debian', family: 'debian', version: '12', packageManager: c.packageManager ?? 'apt', initSystem: 'systemd' },
  };
  const staged: Buffer[] = [];
  const context = { desired, observed, notified: c.notified ?? false, maybeNotified: c.maybeNotified ?? false, stage: (b: Buffer) => `"$W/f${staged.push(b) - 1}"` };
  const action = build(c, resources, context, observed);
  return { ...(action.guard !== undefined ? { guard: action.guard } : {}), script: action.script, staged: staged.map((b) => b.toString('utf8')) };
}

function build(c: ActionCase, resources: DesiredResource[], context: Parameters<typeof buildWorkAction>[2], observed: ObservedState): ActionScript {
  switch (c.builder ?? 'work') {
    case 'install': return installPackages(resources as DesiredResource<'package'>[], observed.platform.packageManager);
    case 'remove': return removePackages(resources as DesiredResource<'package'>[], observed.platform.packageManager);
    case 'handler': return handlerAction(resources[0] as DesiredResource<'service'>);
    case 'test': return testAction({ ...c.test!, origin: { file: 'roles/x.yaml', line: 1, col: 1 } });
    case 'backup': return backupAction(c.target!, c.keep ?? 5);
    case 'restore': return restoreAction(c.target!, c.keep ?? 1);
    case 'clean': return cleanAction(c.target!, c.keep ?? 5);
    default: return buildWorkAction(resources[0]!, stepOf(resources[0], c.step), context);
  }
}

/** Every case, by file name (without .json), sorted. */
export function actionCases(): { name: string; case: ActionCase }[] {
  return readdirSync(ACTION_FIXTURES).filter((f) => f.endsWith('.json')).sort()
    .map((f) => ({ name: f.slice(0, -5), case: JSON.parse(readFileSync(join(ACTION_FIXTURES, f), 'utf8')) as ActionCase }));
}
