/** Helpers of the apply integration tests: observe -> plan -> apply, a local apt repository (desired states: test/support/desired.ts). */
import { observeHost } from '../../../controller/facts/observe.js';
import type { ObservedState } from '../../../controller/facts/types.js';
import { applyPlan } from '../../../controller/apply/execute.js';
import type { ApplyOptions, ApplyResult } from '../../../controller/apply/types.js';
import { planHost } from '../../../controller/plan/plan-host.js';
import type { Plan } from '../../../controller/plan/types.js';
import type { Transport } from '../../../controller/transport/types.js';
import type { DesiredState } from '../../../manifests/types.js';

/** One observe -> plan -> apply cycle. */
export async function converge(desired: DesiredState, transport: Transport, options: ApplyOptions = {}): Promise<{ observed: ObservedState; plan: Plan; result: ApplyResult }> {
  const observed = await observeHost(desired, transport);
  const plan = planHost(desired, observed);
  const result = await applyPlan({ desired, observed, plan, transport, options });
  return { observed, plan, result };
}

/** `name: status` of every step, for compact expectations. */
export function statuses(result: ApplyResult): Record<string, string> {
  return Object.fromEntries(result.steps.map((s) => [s.name, s.status]));
}

/**
 * Serves `debs` ({name: bytes}) from a local apt repository on the host (/srv/drover-repo, `[trusted=yes]`)
 * and refreshes only that source's list, so package tests need no network.
 */
export async function setUpLocalRepo(t: Transport, debs: Record<string, Buffer>): Promise<void> {
  await sh(t, 'mkdir -p /srv/drover-repo');
  for (const [name, bytes] of Object.entries(debs)) await t.upload(`/srv/drover-repo/${name}.deb`, bytes, { mode: '0644' });
  const script = [
    'set -e; cd /srv/drover-repo && dpkg-scanpackages -m . /dev/null 2>/dev/null > Packages',
    'echo "deb [trusted=yes] file:/srv/drover-repo ./" > /etc/apt/sources.list.d/drover-test.list',
    'apt-get -q update -o Dir::Etc::sourcelist=/etc/apt/sources.list.d/drover-test.list -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 >/dev/null',
  ].join('\n');
  const result = await t.run(script);
  if (result.code !== 0) throw new Error(`local repo setup failed: ${result.stderr.toString()}`);
}

/** Runs `command` on the host and returns its stdout; throws with stderr when it exits non-zero. */
export async function sh(t: Transport, command: string): Promise<string> {
  const result = await t.run(command);
  if (result.code !== 0) throw new Error(`${command}: exit ${result.code}: ${result.stderr.toString()}`);
  return result.stdout.toString();
}
