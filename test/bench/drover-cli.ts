/**
 * drover's cold side of the benchmark: the built CLI run as a user runs it (`node bin/drover.js
 * reconcile ...`, so Node start-up, loading the repository and connecting all count), measured with
 * its peak RSS, and its summary table read back to check what it did. `bin` picks the build (the
 * current checkout's or the baseline's worktree, see builds.ts).
 */
import { join } from 'node:path';
import type { Fleet, FleetHost } from '../fleet/index.js';
import { runMeasured, type CommandResult } from './measure.js';

const root = join(import.meta.dirname, '..', '..');

/** How to run the CLI: the fleet's files, the repository, the mode, and which build's bin/drover.js (default: this checkout's). */
export interface DroverRun {
  repo: string;
  fleet: Pick<Fleet, 'knownHostsFile' | 'clientKeyFile'>;
  mode: 'dry-run' | 'apply';
  bin?: string;
}

/** The drover command line for a mode: `reconcile --dry-run` or `reconcile --yes`. */
export function droverArgs(options: DroverRun): string[] {
  return [
    options.bin ?? join(root, 'bin', 'drover.js'), 'reconcile', options.mode === 'dry-run' ? '--dry-run' : '--yes', options.repo,
    '--known-hosts', options.fleet.knownHostsFile, '-i', options.fleet.clientKeyFile,
  ];
}

/** Runs the CLI once, measured, under /usr/bin/time for its peak RSS. */
export function runDrover(options: DroverRun): Promise<CommandResult> {
  return runMeasured({ command: process.execPath, args: droverArgs(options), rss: true });
}

/** One row of drover's summary table (plan: STATUS CREATE UPDATE DELETE ...; apply: STATUS CHANGED FAILED ...). */
export function parseSummary(stdout: string): Map<string, { status: string; count: number }> {
  const rows = new Map<string, { status: string; count: number }>();
  for (const line of stdout.split('\n')) {
    const m = /^(\S+)\s{2,}(in sync|drift|converged|failed|unreachable)\s+(\d+|-)/.exec(line);
    if (m) rows.set(m[1]!, { status: m[2]!, count: Number(m[3]) || 0 });
  }
  return rows;
}

/**
 * Asserts drover's run: the exit code, and per host the summary status (and for `changed`, at least
 * that many changed steps). Throws with the tail of the output otherwise.
 */
export function assertDrover(result: CommandResult, options: { hosts: FleetHost[]; code: number; status: string; changed?: number; what: string }): void {
  const rows = parseSummary(result.stdout);
  const bad = options.hosts.filter((h) => {
    const row = rows.get(h.name);
    return !row || row.status !== options.status || (options.changed !== undefined && row.count < options.changed);
  });
  if (result.code === options.code && bad.length === 0) return;
  const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-30).join('\n');
  throw new Error(`drover ${options.what}: expected exit ${options.code} and "${options.status}" on every host, got exit ${result.code}; hosts off: ${bad.map((h) => h.name).join(', ') || '(none)'}\n${tail}`);
}
