import pLimit from 'p-limit';
import type { DesiredState } from '../../manifests/types.js';
import { applyPlan, verifyConverged } from '../apply/index.js';
import type { Transport } from '../transport/types.js';
import { applyFailureSummary, toApplyFailure, toHostFailure } from './failure.js';
import { hasTests, runHostTests } from './host-tests.js';
import type { HostApplyResult, HostPlanResult, ProgressEvent } from './types.js';
import { maskDeep, secretsOf } from './mask.js';

export interface ApplyHostsOptions {
  /** Planned hosts (from planHosts); hosts that failed to plan are passed through as failures. */
  planned: HostPlanResult[];
  desired: DesiredState[];
  transportFor: (host: DesiredState) => Promise<Transport>;
  concurrency: number;
  /** Re-observe after apply to confirm convergence (default true). */
  verify?: boolean;
  /** Run the test_* checks of hosts already in sync too (health check); drifted hosts run them after apply anyway. */
  runTests?: boolean;
  onProgress?: (event: ProgressEvent) => void;
}

/**
 * Applies each host's plan (the very plan shown to the user), then re-observes to confirm
 * convergence. Hosts run in parallel up to `concurrency`; one host's failure never stops the
 * others. Never rejects. Results are in the order of `planned`.
 */
export async function applyHosts(options: ApplyHostsOptions): Promise<HostApplyResult[]> {
  const limit = pLimit(Math.max(1, options.concurrency));
  const byName = new Map(options.desired.map((d) => [d.host.name, d]));
  return Promise.all(options.planned.map((planned) => limit(async () => {
    const desired = byName.get(planned.host);
    // Tool output and errors may quote a repository secret (a command printing a config file).
    return maskDeep(await applyOne(planned, desired, options), secretsOf(desired));
  })));
}

async function applyOne(planned: HostPlanResult, desired: DesiredState | undefined, options: ApplyHostsOptions): Promise<HostApplyResult> {
  if ('error' in planned || desired === undefined) {
    return 'error' in planned ? planned : { host: planned.host, address: planned.address, error: { code: 'E_INTERNAL', message: 'no desired state', unreachable: false }, durationMs: 0 };
  }
  const started = performance.now();
  const { host, address, plan, observed } = planned;
  const progress = (phase: ProgressEvent['phase'], detail?: string): void =>
    options.onProgress?.(detail === undefined ? { host, phase } : { host, phase, detail });
  const testOnly = plan.inSync && options.runTests === true && hasTests(plan);
  if (plan.inSync && !testOnly) {
    progress('done', 'in sync');
    return { host, address, plan, durationMs: 0 };
  }
  let sent = false;
  try {
    progress(testOnly ? 'verify' : 'apply');
    const transport = await options.transportFor(desired);
    sent = true;
    if (testOnly) {
      const tests = await runHostTests({ desired, observed, plan, transport });
      progress(tests.ok ? 'done' : 'failed', tests.ok ? 'in sync, tests passed' : applyFailureSummary(tests));
      return { host, address, plan, apply: tests, durationMs: performance.now() - started };
    }
    const apply = await applyPlan({ desired, observed, plan, transport });
    if (options.verify === false) {
      progress(apply.ok ? 'done' : 'failed', apply.ok ? 'applied' : applyFailureSummary(apply));
      return { host, address, plan, apply, durationMs: performance.now() - started };
    }
    progress('verify');
    const verify = await verifyConverged(desired, transport);
    progress(apply.ok ? 'done' : 'failed', apply.ok ? (verify.inSync ? 'converged' : 'not converged') : applyFailureSummary(apply));
    return { host, address, plan, apply, verify, durationMs: performance.now() - started };
  } catch (err) {
    const error = sent ? toApplyFailure(err) : toHostFailure(err);
    progress('failed', error.message);
    return { host, address, error, durationMs: performance.now() - started };
  }
}
