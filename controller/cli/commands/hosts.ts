import type { Command } from 'commander';
import { loadValidRepository } from '../../../manifests/index.js';
import type { DesiredState } from '../../../manifests/types.js';
import { type CliIo, println } from '../io.js';
import { parseOutput, resolveRepo } from '../context.js';
import { renderTable } from '../table.js';

/** `drover hosts [REPO]`: the resolved inventory (groups, roles, state, platform, resource counts). */
export function registerHosts(program: Command, io: CliIo): void {
  program
    .command('hosts')
    .description('list the hosts a manifest repository resolves to; touches no host')
    .argument('[repo]', 'manifest repository directory', '.')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (repo: string, opts: { output: string }) => {
      const output = parseOutput(opts.output);
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
