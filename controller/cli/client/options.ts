import type { Command } from 'commander';

/** Adds the options that say which controller to ask (see resolveEndpoint). */
export function endpointOptions(command: Command): Command {
  return command
    .option('--controller <url>', 'controller URL (default: $DROVER_URL, else the listen address of the controller config)')
    .option('--token-file <file>', 'file holding the API token (default: $DROVER_TOKEN_FILE, $DROVER_TOKEN, else the controller config\'s token)')
    .option('--config <file>', 'controller config to read the URL and token from (default: drover.config.* in the working directory)');
}
