import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_UID, buildDashboard } from '../../../deploy/grafana/dashboard.js';
import { DASHBOARD_JSON, dashboardJson } from '../../../deploy/grafana/generate.js';
import { metricNames, substituteGrafanaVariables } from '../../support/promql.js';

interface Panel { title: string; type: string; datasource?: { type: string; uid: string }; targets: { expr: string }[] }

describe('deploy/grafana/drover-dashboard.json', () => {
  it('is what deploy/grafana/dashboard.ts generates (run `npm run dashboard` after changing the code)', () => {
    expect(readFileSync(DASHBOARD_JSON, 'utf8')).toBe(dashboardJson());
  });

  const built = buildDashboard() as unknown as { uid: string; templating: { list: { name: string; type: string; query: unknown }[] }; panels: Panel[] };

  it('has a fixed uid, a Prometheus data source variable and a host variable', () => {
    expect(built.uid).toBe(DASHBOARD_UID);
    const variables = Object.fromEntries(built.templating.list.map((v) => [v.name, v]));
    expect(variables.datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(variables.host).toMatchObject({ type: 'query', multi: true, includeAll: true, allValue: '.*', datasource: { uid: '${datasource}' } });
  });

  it('has the panels people watch drover with, each reading the chosen data source', () => {
    expect(built.panels.map((p) => p.title)).toEqual(expect.arrayContaining([
      'Hosts per status', 'Hosts', 'Drift per host', 'Reconcile duration by phase', 'Failures and their reasons',
      'Source fetches and manifest validity', 'Manifests', 'Queue depth', 'SSH connect time', 'SSH errors',
    ]));
    for (const panel of built.panels) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
    }
  });

  it('filters every per-host query by the host variable', () => {
    for (const panel of built.panels) {
      for (const { expr } of panel.targets) {
        if (metricNames(expr).some((name) => name.startsWith('drover_host_'))) expect(expr, panel.title).toContain('host=~"$host"');
      }
    }
  });
});

describe('metricNames', () => {
  it('finds the metrics of a query and nothing else', () => {
    const expr = 'histogram_quantile(0.95, sum by (le, phase) (rate(drover_reconcile_duration_seconds_bucket{host=~"a|b"}[5m]))) > on (job, instance) group_left () (3 * drover_drift_interval_seconds) unless drover_x offset 1h';
    expect(metricNames(expr)).toEqual(['drover_drift_interval_seconds', 'drover_reconcile_duration_seconds', 'drover_x']);
    expect(metricNames('time() - max(drover_source_last_success_timestamp_seconds)')).toEqual(['drover_source_last_success_timestamp_seconds']);
  });

  it('replaces Grafana variables by values Prometheus takes', () => {
    expect(substituteGrafanaVariables('rate(x{host=~"$host"}[$__rate_interval])', '30s')).toBe('rate(x{host=~".*"}[30s])');
  });
});
