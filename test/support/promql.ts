/**
 * PromQL as the dashboard and the alert rules hold it: the queries of a dashboard JSON, Grafana's
 * variables replaced so Prometheus can run them, and the metric names a query reads.
 */

/** One query of one dashboard panel (or of a template variable). */
export interface DashboardQuery {
  where: string;
  expr: string;
}

interface PanelJson { title?: string; targets?: { refId?: string; expr?: string }[]; panels?: PanelJson[] }
interface DashboardJson { panels?: PanelJson[]; templating?: { list?: { name: string; definition?: string }[] } }

/** Every PromQL expression of the dashboard: each panel target, then each query variable's definition. */
export function dashboardQueries(dashboard: DashboardJson): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  const visit = (panel: PanelJson): void => {
    for (const target of panel.targets ?? []) if (target.expr) queries.push({ where: `${panel.title} / ${target.refId}`, expr: target.expr });
    for (const inner of panel.panels ?? []) visit(inner);
  };
  for (const panel of dashboard.panels ?? []) visit(panel);
  for (const variable of dashboard.templating?.list ?? []) {
    const labelValues = /^label_values\((.+),\s*\w+\)$/.exec(variable.definition ?? '');
    if (labelValues) queries.push({ where: `variable ${variable.name}`, expr: labelValues[1] as string });
  }
  return queries;
}

/** Replaces Grafana's variables with what Grafana would send: all hosts, a rate window of `rateInterval`. */
export function substituteGrafanaVariables(expr: string, rateInterval = '1m'): string {
  return expr
    .replaceAll('$__rate_interval', rateInterval)
    .replaceAll('$__interval', rateInterval)
    .replaceAll('$__range', '1h')
    .replaceAll('"$host"', '".*"');
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/**
 * The metric names `expr` reads (histogram series folded to their family). Strings, label
 * matchers, grouping clauses and range selectors are dropped first; a name followed by `(` is a
 * function or aggregation.
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = bare.slice((match.index ?? 0) + match[0].length);
    if (/^\s*\(/.test(after) || KEYWORDS.has(match[0].toLowerCase())) continue;
    const before = bare.slice(0, match.index ?? 0);
    if (/[0-9.]$/.test(before)) continue; // a unit of a number like 15m or 1e3
    names.add(match[0].replace(/_(bucket|sum|count)$/, ''));
  }
  return [...names].sort();
}
