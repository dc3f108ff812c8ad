/**
 * Follows a sync run until every host is done (`drover sync --wait`): one progress line per host
 * change on stderr, then the exit code `drover reconcile` would give for the same results.
 */
import type { SyncRun } from '../../daemon/runs.js';
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
 * The exit code for a finished run, as `drover reconcile` gives it: 1 when every host failed (or was
 * unreachable, or interrupted, or skipped while its circuit breaker is open), 3 when some did, 2 when
 * a dry run found drift, else 0. Suspended hosts (skipped on purpose) count for nothing.
 */
export function runExitCode(run: SyncRun): number {
  const hosts = Object.values(run.hosts).filter((h) => !(h.result === 'skipped' && h.reason === 'suspended'));
  const results = hosts.map((h) => h.result);
  const failed = results.filter((r) => r === 'failed' || r === 'unreachable' || r === 'interrupted' || r === 'skipped').length;
  if (failed > 0) return failed === results.length ? ExitCode.error : ExitCode.partial;
  if (run.dryRun && results.includes('drift')) return ExitCode.drift;
  return ExitCode.ok;
}
