/** `npm run demo -- --keep`: what is left running, how to reach it, and commands to try. */
import { join } from 'node:path';
import { ROOT } from '../../integration/cli/run-cli.js';
import type { DemoContext } from './context.js';
import { webhookCommand } from './controller.js';
import { DEMO_DRIFT_INTERVAL } from './setup.js';
import { note, say } from './say.js';

/** Prints the URLs, the token and commands to try against the running demo. */
export function printKeepInfo(ctx: DemoContext): void {
  const { ctl, world, fleet } = ctx;
  say('still running: Ctrl-C stops the controller and the hosts and removes everything');
  note([
    `status page   ${ctl.url}/              (log in with the token)`,
    `API           ${ctl.url}/api/v1/status`,
    `metrics       ${ctl.url}/metrics`,
    `token         ${ctl.token}   (file ${world.tokenFile})`,
    `webhook key   file ${world.secretFile}`,
    `manifests     ${world.remote.work} (a clone; push goes to ${world.remote.bare}, which the controller follows)`,
    `hosts         ${world.hosts.map((h, i) => `${h}=${fleet.hosts[i]!.address}`).join(' ')}; ssh -F ${fleet.sshConfigFile} host1`,
    '',
    'Try:',
    `  alias drover='node ${join(ROOT, 'bin/drover.js')}'`,
    `  export DROVER_URL=${ctl.url} DROVER_TOKEN_FILE=${world.tokenFile}`,
    `  drover hosts --controller ${ctl.url}`,
    '  drover sync --host web1 --dry-run --wait',
    `  cd ${world.remote.work} && sed -i 's/team: platform/team: web/' hosts/web1.yaml && git commit -qam 'web1: team web' && git push -q`,
    `  SECRET_FILE=${world.secretFile}`,
    ...webhookCommand(ctl.url).lines.map((l) => `  ${l}`),
    `  ssh -F ${fleet.sshConfigFile} host2 'echo drift > /srv/quickstart/hello.txt'   # repaired within ${DEMO_DRIFT_INTERVAL}`,
  ].join('\n'));
}

/** Resolves with the first of SIGINT, SIGTERM, SIGHUP to arrive (the listeners stay, so the default action never ends the process early). */
export function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => resolve(signal));
  });
}
