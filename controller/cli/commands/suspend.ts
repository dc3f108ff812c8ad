import type { Command } from 'commander';
import { createControllerClient } from '../client/http-client.js';
import { resolveEndpoint, type EndpointFlags } from '../client/endpoint.js';
import { endpointOptions } from '../client/options.js';
import { type CliIo, println } from '../io.js';

/**
 * `drover suspend HOST` / `drover resume HOST`: stop or restart reconciling a host on a running
 * controller (persisted by the controller). Prints the host's status after the change.
 */
export function registerSuspendResume(program: Command, io: CliIo): void {
  for (const verb of ['suspend', 'resume'] as const) {
    endpointOptions(program
      .command(verb)
      .description(verb === 'suspend' ? 'stop reconciling a host (a run in progress finishes)' : 'reconcile a suspended host again, at once')
      .argument('<host>', 'host name'))
      .action(async (host: string, opts: EndpointFlags) => {
        const client = createControllerClient(await resolveEndpoint(io, opts));
        const view = await client[verb](host);
        println(io, `${view.host}: ${verb === 'suspend' ? 'suspended' : 'resumed'} (status ${view.status}: ${view.reason})`);
      });
  }
}
