import type { Command } from 'commander';
import { createControllerClient } from '../client/http-client.js';
import { resolveEndpoint, type EndpointFlags } from '../client/endpoint.js';
import { followRun, runExitCode } from '../client/follow-run.js';
import { endpointOptions } from '../client/options.js';
import { setExitCode } from '../context.js';
import { type CliIo, eprintln, println } from '../io.js';
import { collect } from '../select.js';
import { renderTable } from '../table.js';

interface SyncFlags extends EndpointFlags {
  host?: string[];
  dryRun?: boolean;
  overrideWindow?: boolean;
  forceConflict?: boolean;
  wait?: boolean;
  output: string;
}

/**
 * `drover sync [--host H]... [--dry-run] [--override-window] [--force-conflict] [--wait]`: asks a running controller to sync now
 * (POST /api/v1/sync) and prints the run id. With --wait it follows the run (progress on stderr),
 * prints a summary and exits like `drover reconcile`: 0 converged or in sync, 2 drift left (a dry run,
 * or hosts held back by a window or a wave), 3 hosts failed (some or all), 1 an error (bad flags, the
 * controller refused the request or cannot be reached).
 */
export function registerSync(program: Command, io: CliIo): void {
  endpointOptions(program
    .command('sync')
    .description('ask a running controller to reconcile now (all hosts, or --host ones)')
    .option('--host <name>', 'host to sync (repeatable, or a comma list; default every host)', collect)
    .option('--dry-run', 'plan only: report drift, change nothing')
    .option('--override-window', 'apply now even outside the hosts\' maintenance windows')
    .option('--force-conflict', 'clear the hosts\' Conflicts (resources self-heal paused for) and apply those resources again')
    .option('--wait', 'follow the run until every host is done; exit 0 in sync/converged, 2 drift (dry run), 3 some failed, 1 error')
    .option('-o, --output <format>', 'text or json (the final run with --wait)', 'text'))
    .action(async (opts: SyncFlags, self: Command) => {
      const client = createControllerClient(await resolveEndpoint(io, opts));
      const hosts = (opts.host ?? []).flatMap((h) => h.split(',')).map((h) => h.trim()).filter(Boolean);
      const { runId } = await client.sync({ ...(hosts.length ? { hosts } : {}), dryRun: opts.dryRun === true,
        ...(opts.overrideWindow ? { overrideWindow: true } : {}), ...(opts.forceConflict ? { forceConflict: true } : {}) });
      if (!opts.wait) {
        println(io, opts.output === 'json' ? JSON.stringify({ runId }) : runId);
        return;
      }
      eprintln(io, `sync ${runId} queued${opts.dryRun ? ' (dry run)' : ''}`);
      const run = await followRun(client, runId, (line) => eprintln(io, line));
      if (opts.output === 'json') println(io, JSON.stringify(run, null, 2));
      else {
        println(io, renderTable(['HOST', 'RESULT', 'REVISION', 'REASON'],
          Object.entries(run.hosts).map(([host, h]) => [host, h.result ?? h.state, h.revision ?? '-', h.reason ?? ''])));
      }
      setExitCode(self, runExitCode(run));
    });
}
