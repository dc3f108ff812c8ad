import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, type DroverMetrics } from '../../../controller/daemon/metrics/metrics.js';
import { startMetricsServer, type MetricsServer } from '../../../controller/daemon/metrics/metrics-server.js';
import { writeRulesWithFor } from '../../support/alert-rules.js';
import { poll } from '../../support/poll.js';
import { PROMETHEUS_WAIT, startPrometheus, type TestPrometheus } from '../../support/prometheus.js';
import { dashboardQueries, substituteGrafanaVariables } from '../../support/promql.js';

const DASHBOARD = JSON.parse(readFileSync(new URL('../../../deploy/grafana/drover-dashboard.json', import.meta.url), 'utf8'));
const REVISION = 'main@sha1:0123456789abcdef0123456789abcdef01234567';

/**
 * drover's metrics listener scraped by a real Prometheus, fed through the metrics API the way the
 * controller feeds it: dashboard queries return data, a host going Unreachable fires its alert,
 * and a host that leaves the inventory leaves Prometheus's current view.
 */
describe('metrics listener scraped by a real Prometheus', () => {
  let dir: string;
  let metrics: DroverMetrics;
  let server: MetricsServer;
  let prometheus: TestPrometheus;
  const now = () => Date.now();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'drover-scrape-'));
    metrics = createMetrics({ version: '0.1.0-test', driftIntervalMs: 60_000 });
    server = await startMetricsServer({ metrics, listen: '127.0.0.1:0' });
    const rules = writeRulesWithFor(dir, { DroverHostUnreachable: '2s' });
    prometheus = await startPrometheus({ targets: [new URL(server.url).host], ruleFiles: [rules] });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function runOnce(host: string, status: string): void {
    const at = now();
    metrics.observeSshConnect(8);
    metrics.recordReconcile({ result: 'applied', dryRun: false, trigger: 'revision', durationMs: 300, phaseDurationsMs: { observe: 100, plan: 3, apply: 150, verify: 40 }, changes: [{ kind: 'file', action: 'update' }] });
    metrics.setHostRecord({ host, status, lastAppliedRevision: REVISION, lastAttemptAt: at, lastSuccessAt: at, lastPlan: { inSync: true, counts: {} } });
  }

  it('is scraped and every dashboard query returns data', async () => {
    metrics.recordFetch({ ok: true, atMs: now(), revision: REVISION });
    metrics.setManifestValid(true);
    for (const host of ['web1', 'web2', 'db1']) runOnce(host, 'Synced');
    metrics.setQueueDepth(1);
    metrics.rollouts.replace([{ lane: 'default', wave: 2, phase: 'Progressing' }]);
    await poll('a scrape with 3 hosts', () => prometheus.query('count(drover_host_drift_resources)'), { ...PROMETHEUS_WAIT, until: ([count]) => count?.value[1] === '3' });
    // rate() needs two scrapes holding the observations.
    await poll('three scrapes', () => prometheus.query('count_over_time(drover_build_info[1m])'), { ...PROMETHEUS_WAIT, until: ([count]) => Number(count?.value[1] ?? 0) >= 3 });
    for (const { where, expr } of dashboardQueries(DASHBOARD)) {
      const result = await prometheus.query(substituteGrafanaVariables(expr));
      expect(result.length, `${where}: ${expr}`).toBeGreaterThan(0);
    }
  });

  it('fires DroverHostUnreachable (for shortened to 2s) for the host that became Unreachable, and only for it', async () => {
    metrics.countSshError('E_CONNECT_REFUSED');
    metrics.setHostRecord({ host: 'web2', status: 'Unreachable', lastAppliedRevision: REVISION, lastAttemptAt: now() });
    const alert = await poll('DroverHostUnreachable to fire', async () =>
      (await prometheus.alerts()).find((a) => a.labels.alertname === 'DroverHostUnreachable' && a.state === 'firing'), PROMETHEUS_WAIT);
    expect(alert.labels).toMatchObject({ host: 'web2', severity: 'warning', job: 'drover' });
    expect(alert.annotations.runbook).toMatch(/\S/);
    expect((await prometheus.alerts()).filter((a) => a.labels.alertname === 'DroverHostUnreachable').map((a) => a.labels.host)).toEqual(['web2']);
  });

  it('drops a host that left the inventory from what Prometheus reports now', async () => {
    metrics.retainHosts(new Set(['web1', 'web2']));
    await poll('db1 to go stale', () => prometheus.query('drover_host_status{host="db1"}'), { ...PROMETHEUS_WAIT, until: (samples) => samples.length === 0 });
    expect((await prometheus.query('count by (host) (drover_host_status)')).map((s) => s.metric.host).sort()).toEqual(['web1', 'web2']);
  });
});
