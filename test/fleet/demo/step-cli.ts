/** Steps 5 and 6: the CLI clients of the controller (`drover sync --wait`, `drover hosts --controller`) and /metrics. */
import { metricsText } from './controller.js';
import { drover } from './commands.js';
import type { DemoStep } from './context.js';
import { output, say, shown } from './say.js';
import { expectThat } from './wait.js';

/** Step 5. */
export const cliClients: DemoStep = async (ctx) => {
  say('5. ask the controller from the command line: sync every host now and wait, then list the hosts');
  const env = { DROVER_URL: ctx.ctl.url, DROVER_TOKEN_FILE: ctx.world.tokenFile };
  shown(`export DROVER_URL=${ctx.ctl.url} DROVER_TOKEN_FILE=${ctx.world.tokenFile}`);
  shown('drover sync --wait');
  const sync = await drover(['sync', '--wait'], env);
  output(`${sync.stderr}${sync.stdout}`);
  expectThat(sync.code === 0, `drover sync --wait exited ${sync.code}, expected 0 (every host in sync)`);
  shown(`drover hosts --controller ${ctx.ctl.url}`);
  const hosts = await drover(['hosts', '--controller', ctx.ctl.url], { DROVER_TOKEN_FILE: ctx.world.tokenFile });
  output(`${hosts.stdout}${hosts.stderr}`);
  expectThat(hosts.code === 0, `drover hosts --controller exited ${hosts.code}`);
  for (const name of ctx.world.hosts) {
    expectThat(new RegExp(`^${name}\\s.*\\bSynced\\b`, 'm').test(hosts.stdout), `drover hosts does not show ${name} Synced`);
  }
  return { syncExit: sync.code, syncOutput: sync.stdout, hostsExit: hosts.code, hostsOutput: hosts.stdout };
};

const SHOWN_METRICS = /^drover_(host_status|manifest_valid|webhook_requests_total|reconcile_total|source_fetch_total)\b/;

/** Step 6. */
export const metrics: DemoStep = async (ctx) => {
  say('6. what Prometheus scrapes (and Grafana shows): a few lines of /metrics');
  shown(`curl -s ${ctx.ctl.url}/metrics | grep -E '^drover_(host_status|manifest_valid|webhook_requests_total|reconcile_total|source_fetch_total)' | grep -v ' 0$'`);
  const lines = (await metricsText(ctx.ctl)).split('\n').filter((l) => SHOWN_METRICS.test(l) && !l.endsWith(' 0'));
  output(lines.join('\n'));
  for (const name of ctx.world.hosts) {
    expectThat(lines.includes(`drover_host_status{host="${name}",status="Synced"} 1`), `/metrics lacks drover_host_status{host="${name}",status="Synced"} 1`);
  }
  expectThat(lines.some((l) => l.startsWith('drover_webhook_requests_total{provider="github"')), '/metrics counts no GitHub webhook');
  expectThat(lines.includes('drover_manifest_valid 1'), '/metrics: drover_manifest_valid is not 1');
  return { lines };
};
