import type { Command } from 'commander';
import { loadValidRepository } from '../../../manifests/index.js';
import { observeHost } from '../../facts/observe.js';
import { connectHost } from '../../reconcile/connect.js';
import { type CliIo, println } from '../io.js';
import { parseOutput, resolveRepo } from '../context.js';
import { renderFacts } from '../render-facts.js';
import { selectHosts } from '../select.js';
import { addSshOptions, sshSettingsFrom } from '../ssh-options.js';

/** `drover facts HOST [REPO]`: the host's observed state for the resources it declares (one SSH round trip). */
export function registerFacts(program: Command, io: CliIo): void {
  const cmd = program
    .command('facts')
    .description("print a host's observed state for the resources it declares")
    .argument('<host>', 'inventory host name')
    .argument('[repo]', 'manifest repository directory', '.')
    .option('-o, --output <format>', 'text or json', 'text');
  addSshOptions(cmd).action(async (host: string, repo: string, opts: { output: string; knownHosts?: string; identity?: string[]; connectTimeout?: string }) => {
    const output = parseOutput(opts.output);
    const root = await resolveRepo(io, repo, `facts ${host}`);
    const loaded = await loadValidRepository(root);
    const [desired] = selectHosts(loaded.hosts, { host: [host] });
    if (!desired) return;
    const transport = await connectHost(desired.host, sshSettingsFrom(io, opts));
    try {
      const observed = await observeHost(desired, transport);
      println(io, output === 'json' ? JSON.stringify(observed, null, 2) : renderFacts(observed, `${desired.host.address}:${desired.host.port}`));
    } finally {
      await transport.close();
    }
  });
}
