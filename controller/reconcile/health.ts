import type { DesiredState } from '../../manifests/types.js';
import type { ObservedState } from '../facts/types.js';
import type { Plan } from '../plan/types.js';
import type { Transport } from '../transport/types.js';
import { hasTests, runHostTests } from './host-tests.js';
import type { HostRunResult } from './reconcile-host.js';

/**
 * The health gate of a host found in sync: runs its test_* checks (none: passes) and, when one fails,
 * turns `result` into a failure `E_TEST_FAILED` naming the check, with its output. Throws transport
 * errors like runHostTests.
 */
export async function checkHealth(args: { desired: DesiredState; observed: ObservedState; plan: Plan; transport: Transport; result: HostRunResult; signal?: AbortSignal }): Promise<void> {
  if (!hasTests(args.plan)) return;
  const tests = await runHostTests({ desired: args.desired, observed: args.observed, plan: args.plan, transport: args.transport, ...(args.signal ? { signal: args.signal } : {}) });
  if (tests.ok) return;
  const failed = tests.steps.find((s) => s.status === 'failed');
  args.result.outcome = 'failed';
  args.result.error = {
    code: 'E_TEST_FAILED', unreachable: false,
    message: `health check ${failed?.name ?? '(unknown)'} failed${failed?.exitCode !== undefined ? ` (exit ${failed.exitCode})` : ''}`,
    ...(failed ? { step: failed.name } : {}), ...(failed?.stderr ? { stderrTail: failed.stderr } : {}),
  };
}
