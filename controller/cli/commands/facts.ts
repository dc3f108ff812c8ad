import type { Command } from 'commander';
import { observeSessionHost } from '../../reconcile/observe.js';
import { openSession } from '../../reconcile/session.js';
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
    const session = await openSession({ root, ssh: sshSettingsFrom(io, opts), select: (hosts) => selectHosts(hosts, { host: [host] }) });
    try {
      const [desired] = session.hosts;
      if (!desired) return;
      const observed = await observeSessionHost(session, desired);
      println(io, output === 'json' ? JSON.stringify(observed, null, 2) : renderFacts(observed, `${desired.host.address}:${desired.host.port}`));
    } finally {
      await session.close();
    }
  });
}
