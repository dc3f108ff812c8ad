/**
 * A real Prometheus (Debian's binary, on a loopback port, with a generated config and temp storage)
 * scrapes a real `drover controller` process that reconciles real fleet hosts: every dashboard
 * query returns data after a run, a host made unreachable fires DroverHostUnreachable (its `for`
 * shortened), a host that leaves the inventory leaves the scrape, an invalid commit fires
 * DroverManifestsInvalid, and the scrape never holds a
 * secret (the API token, the webhook secret, the secrets generated on the hosts, the SSH key).
 * Needs `npm run build` (bin/drover.js -> dist/).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FleetHost } from '../../fleet/index.js';
import { writeRulesWithFor } from '../../support/alert-rules.js';
import { parseExposition } from '../../support/exposition.js';
import { freePort } from '../../support/net.js';
import { poll } from '../../support/poll.js';
import { PROMETHEUS_WAIT, startPrometheus, type TestPrometheus } from '../../support/prometheus.js';
import { dashboardQueries, substituteGrafanaVariables } from '../../support/promql.js';
import { sshRun } from '../../support/ssh.js';
import { revisionOf, type ControllerProcess, useControllerEnv } from './support.js';
import { stringify } from 'yaml';

const DASHBOARD = JSON.parse(readFileSync(new URL('../../../deploy/grafana/drover-dashboard.json', import.meta.url), 'utf8'));
const NAMES = ['web1', 'web2', 'web3'];

const env = useControllerEnv({ count: 3, name: 'metrics-e2e' });
let extra: Record<string, unknown>;
let ctl: ControllerProcess | undefined;
let prometheus: TestPrometheus | undefined;
let metricsUrl: string;
let commit: string;
const secrets = { apiToken: randomBytes(24).toString('hex'), webhook: randomBytes(24).toString('base64url') };

/** hosts/<name>.yaml: a directory, a file and a secret generated on the host. */
function hostFile(host: FleetHost): string {
  return stringify({
    address: host.address,
    resources: [
      { kind: 'directory', path: '/srv/metrics' },
      { kind: 'file', path: '/srv/metrics/hello.txt', content: `hello from ${host.name}\n`, mode: '0644' },
      { kind: 'secret', name: 'app_key', length: 40 },
    ],
  });
}

async function scrape(): Promise<string> {
  const response = await fetch(metricsUrl);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

const value = async (expr: string): Promise<number | undefined> => {
  const [first] = await prometheus!.query(expr);
  return first ? Number(first.value[1]) : undefined;
};

beforeAll(async () => {
  // A staged rollout, so the dashboard's rollout panels have data too.
  const rollout = { 'drover.yaml': 'rollout:\n  waves:\n    - percent: 50\n' };
  commit = await env.remote.commit({ ...rollout, ...Object.fromEntries(NAMES.map((n, i) => [`hosts/${n}.yaml`, hostFile(env.fleet.hosts[i]!)])) }, 'three hosts');
  await writeFile(join(env.dir, 'api-token'), `${secrets.apiToken}\n`);
  await writeFile(join(env.dir, 'webhook-secret'), `${secrets.webhook}\n`);
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  extra = { metricsListen: `127.0.0.1:${port}`, driftInterval: '2s', apiTokenFile: join(env.dir, 'api-token'), webhookSecretFile: join(env.dir, 'webhook-secret') };
  ctl = await env.start({ extra });
  await ctl.waitForEvent((e) => e.msg === 'metrics listening', 'the metrics listener');
  const rules = writeRulesWithFor(env.dir, { DroverHostUnreachable: '1s', DroverManifestsInvalid: '1s' });
  prometheus = await startPrometheus({ targets: [`127.0.0.1:${port}`], ruleFiles: [rules] });
  env.onTeardown(() => prometheus!.stop());
});

describe('a real Prometheus scraping a real drover controller', () => {
  it('sees every host Synced on the commit, with the runs, changes and fetches that got them there', async () => {
    await poll('3 Synced hosts in Prometheus', () => value('sum(drover_host_status{status="Synced"})'), { ...PROMETHEUS_WAIT, until: (synced) => synced === 3, timeoutMs: 90_000 });
    const revisions = await prometheus!.query('drover_host_applied_revision_info');
    expect(revisions.map((s) => [s.metric.host, s.metric.revision]).sort()).toEqual(NAMES.map((n) => [n, revisionOf(commit)]));
    expect(await value('sum(drover_reconcile_total{result="applied",trigger="revision",dry_run="false"})')).toBeGreaterThanOrEqual(3);
    expect(await value('sum(drover_resource_changes_total{kind="file",action="create"})')).toBeGreaterThanOrEqual(3);
    expect(await value('drover_source_fetch_total{result="success"}')).toBeGreaterThanOrEqual(1);
    expect(await value('drover_manifest_valid')).toBe(1);
    expect((await prometheus!.query('drover_source_revision_info'))[0]?.metric.revision).toBe(revisionOf(commit));
    expect(await value('drover_ssh_connect_duration_seconds_count')).toBeGreaterThanOrEqual(3);
    expect(await value('sum(drover_host_drift_resources)')).toBe(0);
  });

  it('fires DroverHostUnreachable for a host that went away, and only for it', async () => {
    process.kill(env.fleet.hosts[2]!.pid, 'SIGKILL');
    const alert = await poll('DroverHostUnreachable to fire', async () =>
      (await prometheus!.alerts()).find((a) => a.labels.alertname === 'DroverHostUnreachable' && a.state === 'firing'), { ...PROMETHEUS_WAIT, timeoutMs: 90_000 });
    expect(alert.labels).toMatchObject({ host: 'web3', severity: 'warning', job: 'drover', status: 'Unreachable' });
    expect(alert.annotations.summary).toBe('drover host web3 has been Unreachable for 15 minutes');
    expect((await prometheus!.alerts()).filter((a) => a.labels.alertname === 'DroverHostUnreachable').map((a) => a.labels.host)).toEqual(['web3']);
    expect(await value('sum(drover_ssh_errors_total)')).toBeGreaterThan(0);
  });

  it('answers every PromQL query of every dashboard panel with data', async () => {
    const failures: string[] = [];
    for (const { where, expr } of dashboardQueries(DASHBOARD)) {
      const result = await prometheus!.query(substituteGrafanaVariables(expr, '30s'));
      if (result.length === 0) failures.push(`${where}: ${expr}`);
    }
    expect(failures).toEqual([]);
  });

  it('never serves a secret: not the API token, the webhook secret, the secrets generated on the hosts or the SSH key', async () => {
    const generated = await Promise.all(['host1', 'host2'].map(async (h) => (await sshRun(env.fleet, h, 'head -n1 /var/lib/drover/secrets/app_key')).trim()));
    expect(generated.every((s) => s.length === 40)).toBe(true);
    const key = readFileSync(env.fleet.clientKeyFile, 'utf8').split('\n').filter((l) => l && !l.startsWith('-----'));
    const text = await scrape();
    expect(parseExposition(text).length).toBeGreaterThan(100);
    for (const secret of [secrets.apiToken, secrets.webhook, ...generated, ...key]) expect(text.includes(secret), 'a secret in /metrics').toBe(false);
  });

  it('drops every series of a host that leaves the inventory', async () => {
    const second = await env.remote.commit({ 'hosts/web3.yaml': null }, 'web3 leaves');
    await poll('the new revision in the scrape', async () => (await scrape()).includes(revisionOf(second)), PROMETHEUS_WAIT);
    await poll('web3 gone from the scrape', async () => !parseExposition(await scrape()).some((s) => s.labels.host === 'web3'), { ...PROMETHEUS_WAIT, timeoutMs: 30_000 });
    const hosts = new Set(parseExposition(await scrape()).map((s) => s.labels.host).filter(Boolean));
    expect([...hosts].sort()).toEqual(['web1', 'web2']);
  });

  it('reports valid manifests and the same hosts after a restart on the same state', async () => {
    expect(await ctl!.stop()).toBe(0);
    ctl = await env.start({ extra });
    await ctl.waitForEvent((e) => e.msg === 'metrics listening', 'the metrics listener');
    const samples = await poll('a scrape with both hosts and a fetch', async () => {
      const parsed = parseExposition(await scrape());
      const fetched = parsed.some((s) => s.name === 'drover_source_fetch_total' && s.labels.result === 'success' && s.value > 0);
      return fetched && parsed.filter((s) => s.name === 'drover_host_drift_resources').length === 2 ? parsed : undefined;
    }, PROMETHEUS_WAIT);
    expect(samples.find((s) => s.name === 'drover_manifest_valid')?.value).toBe(1);
  });

  it('fires DroverManifestsInvalid for a commit that does not validate', async () => {
    await env.remote.commit({ 'hosts/web1.yaml': 'address: [not, a, string]\n' }, 'broken');
    const alert = await poll('DroverManifestsInvalid to fire', async () =>
      (await prometheus!.alerts()).find((a) => a.labels.alertname === 'DroverManifestsInvalid' && a.state === 'firing'), PROMETHEUS_WAIT);
    expect(alert.labels).toMatchObject({ severity: 'warning', job: 'drover' });
    expect(await value('drover_manifest_valid')).toBe(0);
  });
});
