import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadValidRepository } from '../../../manifests/index.js';
import type { DesiredState } from '../../../manifests/types.js';
import { type CliIo, println } from '../io.js';
import { parseOutput, resolveRepo } from '../context.js';
import { renderTable } from '../table.js';
import { showLiveHosts } from '../client/live-hosts.js';
import { readStateDir } from '../state-dir.js';
import { conflictLines } from '../conflict-lines.js';

/**
 * `drover hosts [REPO]`: the resolved inventory (groups, roles, state, platform, resource counts).
 * `drover hosts --state-dir DIR`: each host's status and revisions as a controller recorded them.
 * `drover hosts --controller URL`: the live status of each host, asked from a running controller.
 */
export function registerHosts(program: Command, io: CliIo): void {
  program
    .command('hosts')
    .description('list the hosts a manifest repository resolves to (touches no host), or with --state-dir their status as the controller recorded it')
    .argument('[repo]', 'manifest repository directory', '.')
    .option('--state-dir <dir>', "a controller's state directory: show each host's status and revision")
    .option('--controller <url>', 'a running controller: show each host\'s live status (token: --token-file, $DROVER_TOKEN_FILE or $DROVER_TOKEN)')
    .option('--token-file <file>', 'file holding the controller\'s API token (with --controller)')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (repo: string, opts: { output: string; stateDir?: string; controller?: string; tokenFile?: string }) => {
      const output = parseOutput(opts.output);
      if (opts.controller !== undefined) {
        await showLiveHosts(io, { controller: opts.controller, ...(opts.tokenFile === undefined ? {} : { tokenFile: opts.tokenFile }) }, output);
        return;
      }
      if (opts.stateDir !== undefined) {
        await showState(io, resolve(io.cwd, opts.stateDir), output);
        return;
      }
      const root = await resolveRepo(io, repo, 'hosts');
      const loaded = await loadValidRepository(root);
      const rows = loaded.hosts.map(describeHost);
      if (output === 'json') {
        println(io, JSON.stringify(rows, null, 2));
        return;
      }
      println(io, renderTable(
        ['HOST', 'ADDRESS', 'PLATFORM', 'STATE', 'GROUPS', 'ROLES', 'RESOURCES'],
        rows.map((r) => [r.name, `${r.address}:${r.port}`, r.platform, r.state, r.groups.join(',') || '-', r.roles.join(',') || '-', String(r.resources)]),
      ));
    });
}

function describeHost(d: DesiredState) {
  const h = d.host;
  return {
    name: h.name, address: h.address, port: h.port, user: h.user, platform: h.platform, state: h.state,
    groups: h.groups, roles: h.roles, resources: d.resources.length,
  };
}

/** Reads the state without changing it (safe next to a running controller). */
async function showState(io: CliIo, stateDir: string, output: 'text' | 'json'): Promise<void> {
  const { source, hosts, rollouts } = await readStateDir(stateDir, Date.now());
  if (output === 'json') {
    println(io, JSON.stringify({ source, hosts, rollouts: rollouts.views }, null, 2));
    return;
  }
  println(io, `revision: ${source.lastGoodRevision ?? '(none accepted yet)'}${source.rejected ? `  (rejected: ${source.rejected.revision})` : ''}`);
  println(io, renderTable(
    ['HOST', 'STATUS', 'APPLIED REVISION', 'LAST ATTEMPT', 'BLOCKED BY', 'REASON'],
    hosts.map((h) => [
      h.host, h.status, h.lastAppliedRevision ?? '-', h.lastAttemptAt ? new Date(h.lastAttemptAt).toISOString() : '-',
      h.blockedBy?.kind ?? '-', h.blockedBy?.reason ?? h.reason,
    ]),
  ));
  for (const line of conflictLines(hosts)) println(io, line);
  for (const line of rollouts.lines) println(io, line);
}
