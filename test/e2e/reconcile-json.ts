/**
 * `drover reconcile REPO --yes -o json` through the built binary against a fleet, read back: the exit
 * code, each host's result and stderr (for a failing expectation's message).
 */
import type { HostResult } from '../../controller/reconcile/types.js';
import type { Fleet } from '../fleet/index.js';
import { runDrover } from '../integration/cli/run-cli.js';
import { fleetSshFlags } from '../support/ssh.js';

/** What one reconcile did. */
export interface ReconcileJson {
  code: number | null;
  hosts: HostResult[];
  stderr: string;
}

/** Runs `drover reconcile repo --yes -o json` with the fleet's keys (and `args`, e.g. `--host web1`). */
export async function reconcileJson(repo: string, fleet: Fleet, args: string[] = []): Promise<ReconcileJson> {
  const run = await runDrover(['reconcile', repo, '--yes', '--output', 'json', ...args, ...fleetSshFlags(fleet)]);
  let hosts: HostResult[];
  try {
    hosts = (JSON.parse(run.stdout) as { hosts: HostResult[] }).hosts;
  } catch {
    throw new Error(`drover reconcile printed no JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
  return { code: run.code, hosts, stderr: run.stderr };
}
