/**
 * Follows a sync run until every host is done (`drover sync --wait`): one progress line per host
 * change on stderr, then the exit code `drover reconcile` would give for the same results.
 */
import type { SyncRun } from '../../daemon/work/runs.js';
import { ExitCode } from '../exit-codes.js';
import type { ControllerClient } from './http-client.js';

/** How often the run is polled. */
const POLL_MS = 250;

/** Polls `runId` until done, reporting each host's change through `progress`; resolves with the final run. */
export async function followRun(client: ControllerClient, runId: string, progress: (line: string) => void): Promise<SyncRun> {
  const seen = new Map<string, string>();
  for (;;) {
    const run = await client.run(runId);
    for (const [host, entry] of Object.entries(run.hosts)) {
      const shown = entry.state === 'done' ? `${entry.result ?? 'done'}${entry.reason ? ` (${entry.reason})` : ''}` : entry.state;
      if (seen.get(host) === shown) continue;
      seen.set(host, shown);
      progress(`${host}: ${shown}`);
    }
    if (run.state === 'done') return run;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * The exit code for a finished run, as `drover reconcile` gives it: 3 when hosts failed, some or all
 * (failed, unreachable, interrupted, or skipped while their circuit breaker is open), 2 when drift is
 * left (a dry run, or hosts held back by a maintenance window or a rollout wave), else 0. Suspended
 * hosts (skipped on purpose) count for nothing. 1 is left for errors that stop the command.
 */
export function runExitCode(run: SyncRun): number {
  const hosts = Object.values(run.hosts).filter((h) => !(h.result === 'skipped' && h.reason === 'suspended'));
  const results = hosts.map((h) => h.result);
  const failed = results.filter((r) => r === 'failed' || r === 'unreachable' || r === 'interrupted' || r === 'skipped').length;
  // As `drover reconcile`: 3 whenever hosts failed, however many; 2 when drift is left (a dry run, or
  // hosts held back from applying by a maintenance window or a rollout wave).
  if (failed > 0) return ExitCode.partial;
  if (results.includes('drift')) return ExitCode.drift;
  return ExitCode.ok;
}
