import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createMetrics } from '../../../controller/daemon/metrics/metrics.js';
import { declaredFamilies } from '../../support/exposition.js';
import { dashboardQueries, metricNames, substituteGrafanaVariables } from '../../support/promql.js';
import { requirePrometheus, runPromtool } from '../../support/promtool.js';

const DASHBOARD = JSON.parse(readFileSync(new URL('../../../deploy/grafana/drover-dashboard.json', import.meta.url), 'utf8'));
const RULES = fileURLToPath(new URL('../../../deploy/prometheus/drover-alerts.yaml', import.meta.url));
const queries = dashboardQueries(DASHBOARD);

describe('the PromQL of the dashboard and the alert rules', () => {
  let dir: string;
  let defined: Set<string>;
  beforeAll(async () => {
    requirePrometheus();
    dir = mkdtempSync(join(tmpdir(), 'drover-promql-'));
    defined = new Set(declaredFamilies(await createMetrics({ version: 't' }).exposition()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a query in every panel', () => {
    expect(queries.length).toBeGreaterThanOrEqual(DASHBOARD.panels.length);
  });

  it('parses in Prometheus (`promtool check rules` on each query as a recording rule)', async () => {
    const rules = queries.map((q, i) => ({ record: `drover:dashboard_query_${i}`, expr: substituteGrafanaVariables(q.expr) }));
    const file = join(dir, 'dashboard-queries.yaml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    const result = await runPromtool(['check', 'rules', file]);
    expect(result.stdout + result.stderr).toMatch(new RegExp(`SUCCESS: ${rules.length} rules found`));
    expect(result.code).toBe(0);
  });

  it('fails that check on a query that does not parse (the check can fail)', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, stringify({ groups: [{ name: 'x', rules: [{ record: 'x:y', expr: 'sum by (le (rate(x[1m]))' }] }] }));
    expect((await runPromtool(['check', 'rules', file])).code).not.toBe(0);
  });

  it('reads only metrics that controller/daemon/metrics/metrics.ts defines', () => {
    expect(defined.has('drover_host_status')).toBe(true);
    for (const { where, expr } of queries) {
      const names = metricNames(substituteGrafanaVariables(expr));
      expect(names.length, where).toBeGreaterThan(0);
      expect(names.filter((n) => !defined.has(n)), where).toEqual([]);
    }
  });

  it('lets the alert rules read only those metrics and `up`', () => {
    const rules = (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap((g) => g.rules);
    for (const rule of rules) expect(metricNames(rule.expr).filter((n) => !defined.has(n) && n !== 'up'), rule.alert).toEqual([]);
  });
});
