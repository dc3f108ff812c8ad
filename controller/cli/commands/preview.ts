import type { Command } from 'commander';
import { previewMarkdown } from '../../daemon/previews/report.js';
import type { PreviewView } from '../../daemon/previews/types.js';
import { DroverError } from '../../../manifests/errors.js';
import { createControllerClient, type ControllerClient } from '../client/http-client.js';
import { resolveEndpoint, type EndpointFlags } from '../client/endpoint.js';
import { endpointOptions } from '../client/options.js';
import { setExitCode } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { type CliIo, eprintln, println } from '../io.js';
import { renderTable } from '../table.js';
import { escapeControl as safe } from '../terminal-text.js';

interface PreviewFlags extends EndpointFlags {
  ref?: string;
  id?: string;
  wait?: boolean;
  output: string;
}

/** How often a preview is polled with --wait. */
const POLL_MS = 200;

/**
 * `drover preview --ref REF [--wait] [-o text|json|markdown]`: asks a running controller to preview a
 * branch, tag, full ref or commit of the repository it follows (POST /api/v1/previews), so a CI job
 * needs no SSH key to the fleet. Without --wait prints the preview id; with it (or with --id ID for a
 * preview started earlier) waits until it is done and exits like `drover plan`: 0 in sync, 2 changes,
 * 3 hosts could not be planned, 1 invalid revision, failed preview or refused request.
 */
export function registerPreview(program: Command, io: CliIo): void {
  endpointOptions(program
    .command('preview')
    .description('ask a running controller what a branch or pull request would change on every host (never applies)')
    .option('--ref <ref>', 'branch, tag, full ref (refs/pull/12/head) or 40-hex commit of the followed repository')
    .option('--id <previewId>', 'show a preview started earlier instead of starting one')
    .option('--wait', 'wait until the preview is done; exit 0 in sync, 2 changes, 3 hosts not planned, 1 invalid or failed')
    .option('-o, --output <format>', 'text, json or markdown (a pull-request comment)', 'text'))
    .action(async (opts: PreviewFlags, self: Command) => {
      const output = opts.output;
      if (output !== 'text' && output !== 'json' && output !== 'markdown') throw new DroverError('E_USAGE', `unknown --output "${output}"; use text, json or markdown`);
      if ((opts.ref === undefined) === (opts.id === undefined)) throw new DroverError('E_USAGE', 'give --ref REF to start a preview, or --id ID to show one started earlier');
      const client = createControllerClient(await resolveEndpoint(io, opts));
      let id = opts.id;
      if (opts.ref !== undefined) {
        const started = await client.startPreview(opts.ref);
        id = started.previewId;
        if (!opts.wait) {
          println(io, output === 'json' ? JSON.stringify(started) : started.previewId);
          return;
        }
        eprintln(io, safe(`preview ${started.previewId} of ${started.revision} queued`));
      }
      const preview = await waitFor(client, id!, opts.wait === true);
      if (output === 'json') println(io, JSON.stringify(preview, null, 2));
      else if (output === 'markdown') io.stdout.write(previewMarkdown(preview));
      else printText(io, preview);
      setExitCode(self, previewExitCode(preview));
    });
}

async function waitFor(client: ControllerClient, id: string, wait: boolean): Promise<PreviewView> {
  for (;;) {
    const preview = await client.preview(id);
    if (!wait || preview.state === 'done' || preview.state === 'failed') return preview;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** As `drover plan`: 1 failed or invalid (or not done yet), 3 hosts not planned, 2 changes, 0 in sync. */
export function previewExitCode(preview: PreviewView): number {
  if (preview.state !== 'done' || !preview.validation?.valid) return ExitCode.error;
  if (preview.hosts.some((h) => h.result === 'failed' || h.result === 'unreachable')) return ExitCode.partial;
  if (preview.hosts.some((h) => h.result === 'changes' || h.result === 'removed')) return ExitCode.drift;
  return ExitCode.ok;
}

function printText(io: CliIo, preview: PreviewView): void {
  println(io, safe(`preview ${preview.previewId} of ${preview.revision}: ${preview.state}${preview.base ? ` (compared with ${preview.base})` : ''}`));
  if (preview.error) println(io, safe(`failed: ${preview.error.code}: ${preview.error.message}`));
  if (preview.validation && !preview.validation.valid) {
    println(io, 'the revision is invalid; no host was planned:');
    for (const p of preview.validation.problems) println(io, safe(`  ${p}`));
  }
  if (preview.hosts.length === 0) return;
  println(io, renderTable(['HOST', 'THIS REVISION', 'RESULT', 'ITS STEPS', 'DRIFT STEPS'], preview.hosts.map((h) => [
    h.host, h.change ?? '-', h.error ? `${h.result} (${h.error.code})` : h.result,
    h.steps.map((s) => s.name).join(', ') || '-', h.drift?.steps.map((s) => s.name).join(', ') || '-',
  ].map(safe))));
  for (const h of preview.hosts.filter((x) => x.diff.length > 0)) {
    println(io, safe(`\n${h.host}:`));
    for (const line of h.diff) println(io, safe(line));
  }
}
