/**
 * Writes deploy/kubernetes/prometheusrule.yaml (a Prometheus Operator PrometheusRule) from
 * deploy/prometheus/drover-alerts.yaml, the one source of drover's alert rules:
 * `npx tsx deploy/kubernetes/generate-prometheus-rule.ts`. The output is committed;
 * test/unit/deploy/kubernetes.test.ts fails when it no longer matches its source.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

/** The alert rules for a plain Prometheus (`rule_files:`). */
export const ALERTS_YAML = fileURLToPath(new URL('../prometheus/drover-alerts.yaml', import.meta.url));
/** The generated Kubernetes object. */
export const PROMETHEUS_RULE_YAML = fileURLToPath(new URL('./prometheusrule.yaml', import.meta.url));

/** The rule groups of a Prometheus rules file (its top-level `groups`). */
export interface RuleFile {
  groups: unknown[];
}

/** The PrometheusRule text for the rules file text `alerts` (throws when it has no `groups` list). */
export function prometheusRuleYaml(alerts: string): string {
  const rules = parse(alerts) as Partial<RuleFile> | null;
  if (!rules || !Array.isArray(rules.groups)) throw new Error(`${ALERTS_YAML}: no "groups:" list; it is not a Prometheus rules file`);
  const object = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'drover', labels: { 'app.kubernetes.io/name': 'drover' } },
    spec: { groups: rules.groups },
  };
  const header = '# Generated from deploy/prometheus/drover-alerts.yaml by deploy/kubernetes/generate-prometheus-rule.ts:\n# edit the source and run `npx tsx deploy/kubernetes/generate-prometheus-rule.ts`, never this file.\n';
  return header + stringify(object, { lineWidth: 0 });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(PROMETHEUS_RULE_YAML, prometheusRuleYaml(readFileSync(ALERTS_YAML, 'utf8')));
  console.log(`wrote ${PROMETHEUS_RULE_YAML}`);
}
