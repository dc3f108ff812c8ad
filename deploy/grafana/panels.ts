/**
 * The panels of drover's Grafana dashboard, built with @grafana/grafana-foundation-sdk. Every
 * query reads only drover's own metrics (controller/daemon/metrics/metrics.ts) and filters hosts with the
 * dashboard's `$host` variable; `$datasource` is the Prometheus data source variable.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

const DATASOURCE: dashboard.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };
const HOSTS = 'host=~"$host"';

/** A range query drawn as lines, with `legend` as its legend template. */
function series(refId: string, expr: string, legend: string): DataqueryBuilder {
  return new DataqueryBuilder().refId(refId).expr(expr).legendFormat(legend).range();
}

/** An instant query in table format (one row per series, labels as columns). */
function tableQuery(refId: string, expr: string): DataqueryBuilder {
  return new DataqueryBuilder().refId(refId).expr(expr).instant().format(PromQueryFormat.Table);
}

/** A value mapping from exact texts to display texts and colours. */
function valueMap(entries: Record<string, { text?: string; color: string }>): dashboard.ValueMapping {
  const options: Record<string, dashboard.ValueMappingResult> = {};
  Object.entries(entries).forEach(([value, { text, color }], index) => (options[value] = { text, color, index }));
  return { type: dashboard.MappingType.ValueToText, options };
}

/** One colour per host status, used wherever a status is shown. */
const STATUS_COLOUR: Record<string, string> = {
  Synced: 'green', OutOfSync: 'yellow', Progressing: 'blue', Failed: 'red', Unreachable: 'red', Suspended: 'purple', Rejected: 'orange',
};

const STATUS_COLOURS = valueMap(Object.fromEntries(Object.entries(STATUS_COLOUR).map(([status, color]) => [status, { color }])));

const timeseries = (title: string, description: string) => new TimeseriesPanel().title(title).description(description).datasource(DATASOURCE)
  .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom));

const stat = (title: string, description: string) => new StatPanel().title(title).description(description).datasource(DATASOURCE)
  .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull'])).graphMode(common.BigValueGraphMode.None);

/** Hosts per status: every status, 0 included (the status gauge is one-hot), each in its colour. */
export function hostsPerStatus() {
  const panel = stat('Hosts per status', 'How many of the selected hosts are in each status.')
    .withTarget(new DataqueryBuilder().refId('A').expr(`sum by (status) (drover_host_status{${HOSTS}})`).legendFormat('{{status}}').instant())
    .textMode(common.BigValueTextMode.ValueAndName).colorMode(common.BigValueColorMode.Value).gridPos({ h: 5, w: 12, x: 0, y: 0 });
  for (const [status, color] of Object.entries(STATUS_COLOUR)) panel.overrideByName(status, [{ id: 'color', value: { mode: 'fixed', fixedColor: color } }]);
  return panel;
}

/** Whether the newest revision passed validation, and the revision fetched. */
export function manifestValidity() {
  return stat('Manifests', 'Whether the newest fetched revision passed validation (hosts stay on the last good one otherwise).')
    .withTarget(new DataqueryBuilder().refId('A').expr('min(drover_manifest_valid)').legendFormat('valid').instant())
    .mappings([valueMap({ '0': { text: 'Invalid', color: 'red' }, '1': { text: 'Valid', color: 'green' } })])
    .colorMode(common.BigValueColorMode.Background).gridPos({ h: 5, w: 4, x: 12, y: 0 });
}

/** The revision last fetched and the drover version running. */
export function revisionAndVersion() {
  return stat('Source revision', 'The revision last fetched, and the drover version running.')
    .withTarget(new DataqueryBuilder().refId('A').expr('drover_source_revision_info').legendFormat('{{revision}}').instant())
    .withTarget(new DataqueryBuilder().refId('B').expr('drover_build_info').legendFormat('drover {{version}}').instant())
    .textMode(common.BigValueTextMode.Name).colorMode(common.BigValueColorMode.None).gridPos({ h: 5, w: 8, x: 16, y: 0 });
}

/** One row per host: status, applied revision, time since its last clean run, drift. */
export function hostTable() {
  return new TablePanel().title('Hosts').description('Each host: its status, the revision it is on, how long since its last clean run, and its drifted resources.')
    .datasource(DATASOURCE)
    .withTarget(tableQuery('A', `drover_host_status{${HOSTS}} == 1`))
    .withTarget(tableQuery('B', `drover_host_applied_revision_info{${HOSTS}}`))
    .withTarget(tableQuery('C', `time() - drover_host_last_success_timestamp_seconds{${HOSTS}}`))
    .withTarget(tableQuery('D', `drover_host_drift_resources{${HOSTS}}`))
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({
      id: 'organize',
      options: {
        excludeByName: { Time: true, __name__: true, job: true, instance: true, 'Value #A': true, 'Value #B': true },
        indexByName: { host: 0, status: 1, revision: 2, 'Value #C': 3, 'Value #D': 4 },
        renameByName: { host: 'Host', status: 'Status', revision: 'Revision', 'Value #C': 'Since last success', 'Value #D': 'Drifted resources' },
      },
    })
    .overrideByName('Since last success', [{ id: 'unit', value: 's' }])
    .overrideByName('Status', [{ id: 'mappings', value: [STATUS_COLOURS] }, { id: 'custom.cellOptions', value: { type: 'color-text' } }])
    .sortBy([new common.TableSortByFieldStateBuilder().displayName('Host').desc(false)])
    .gridPos({ h: 10, w: 24, x: 0, y: 5 });
}

/** Resources each host's last plan would change. */
export function driftPerHost() {
  return timeseries('Drift per host', 'Resources the last plan of each host would change (0 when in sync).')
    .withTarget(series('A', `drover_host_drift_resources{${HOSTS}}`, '{{host}}')).min(0).decimals(0).gridPos({ h: 8, w: 12, x: 0, y: 15 });
}

/** Queue depth over time. */
export function queueDepth() {
  return timeseries('Queue depth', 'Host runs waiting in the work queue.')
    .withTarget(series('A', 'sum(drover_queue_depth)', 'waiting')).min(0).decimals(0).gridPos({ h: 8, w: 12, x: 12, y: 15 });
}

/** p50 and p95 of each reconcile phase. */
export function reconcileDuration() {
  const quantile = (q: number) => `histogram_quantile(${q}, sum by (le, phase) (rate(drover_reconcile_duration_seconds_bucket[$__rate_interval])))`;
  return timeseries('Reconcile duration by phase', 'p50 and p95 of the time host runs spend in each phase (total: the whole run).')
    .withTarget(series('A', quantile(0.5), 'p50 {{phase}}'))
    .withTarget(series('B', quantile(0.95), 'p95 {{phase}}'))
    .unit('s').min(0).gridPos({ h: 8, w: 12, x: 0, y: 23 });
}

/** Failed runs by result and trigger, beside SSH errors by reason. */
export function failures() {
  return timeseries('Failures and their reasons', 'Runs that failed or found the host unreachable, by trigger; SSH errors by reason.')
    .withTarget(series('A', 'sum by (result, trigger) (increase(drover_reconcile_total{result=~"failed|unreachable|interrupted"}[$__rate_interval]))', '{{result}} ({{trigger}})'))
    .withTarget(series('B', 'sum by (reason) (increase(drover_ssh_errors_total[$__rate_interval]))', 'ssh: {{reason}}'))
    .min(0).gridPos({ h: 8, w: 12, x: 12, y: 23 });
}

/** Runs by result and the resources they changed. */
export function runsAndChanges() {
  return timeseries('Runs and changes', 'Host runs by result (dry runs apart), and the resources they changed by kind and action.')
    .withTarget(series('A', 'sum by (result, dry_run) (increase(drover_reconcile_total[$__rate_interval]))', '{{result}} dry_run={{dry_run}}'))
    .withTarget(series('B', 'sum by (kind, action) (increase(drover_resource_changes_total[$__rate_interval]))', '{{action}} {{kind}}'))
    .min(0).gridPos({ h: 8, w: 12, x: 0, y: 31 });
}

/** Source fetches by result, time since the last good one, and manifest validity over time. */
export function sourceHealth() {
  return timeseries('Source fetches and manifest validity', 'Fetches by result, seconds since the last successful fetch, and whether the manifests validate (1) or not (0).')
    .withTarget(series('A', 'sum by (result) (increase(drover_source_fetch_total[$__rate_interval]))', 'fetch {{result}}'))
    .withTarget(series('B', 'time() - max(drover_source_last_success_timestamp_seconds)', 'seconds since a fetch succeeded'))
    .withTarget(series('C', 'min(drover_manifest_valid)', 'manifests valid'))
    .min(0).gridPos({ h: 8, w: 12, x: 12, y: 31 });
}

/** SSH connect time p50/p95 and errors by reason. */
export function sshConnections() {
  const quantile = (q: number) => `histogram_quantile(${q}, sum by (le) (rate(drover_ssh_connect_duration_seconds_bucket[$__rate_interval])))`;
  return timeseries('SSH connect time', 'p50 and p95 of the time SSH connections take to be ready.')
    .withTarget(series('A', quantile(0.5), 'p50')).withTarget(series('B', quantile(0.95), 'p95'))
    .unit('s').min(0).gridPos({ h: 8, w: 12, x: 0, y: 39 });
}

/** SSH errors by reason. */
export function sshErrors() {
  return timeseries('SSH errors', 'SSH errors per second, by reason (refused, timeout, auth, host key, lost connection).')
    .withTarget(series('A', 'sum by (reason) (rate(drover_ssh_errors_total[$__rate_interval]))', '{{reason}}'))
    .unit('ops').min(0).gridPos({ h: 8, w: 12, x: 12, y: 39 });
}

/** Sync requests by trigger and webhook calls by provider and result. */
export function syncsAndWebhooks() {
  return timeseries('Sync requests and webhooks', 'Sync requests by trigger, and webhook calls by provider and result.')
    .withTarget(series('A', 'sum by (trigger) (increase(drover_sync_requests_total[$__rate_interval]))', 'sync {{trigger}}'))
    .withTarget(series('B', 'sum by (provider, result) (increase(drover_webhook_requests_total[$__rate_interval]))', '{{provider}} {{result}}'))
    .min(0).gridPos({ h: 8, w: 12, x: 0, y: 47 });
}

/** The controller's memory and CPU (the default process metrics of drover's own process). */
export function controllerResources() {
  return timeseries('Controller memory and CPU', "The controller process's resident memory and CPU use.")
    .withTarget(series('A', 'process_resident_memory_bytes and on (job, instance) drover_build_info', 'RSS {{instance}}'))
    .withTarget(series('B', 'rate(process_cpu_seconds_total[$__rate_interval]) and on (job, instance) drover_build_info', 'CPU {{instance}}'))
    .overrideByQuery('A', [{ id: 'unit', value: 'bytes' }]).overrideByQuery('B', [{ id: 'unit', value: 'percentunit' }])
    .min(0).gridPos({ h: 8, w: 12, x: 12, y: 47 });
}

/** Each lane's staged rollout: halted or rolling out (docs/rollouts.md). */
export function rolloutState() {
  return stat('Rollouts', 'Each staged rollout (lane: default, or a group with its own policy): halted when a wave went over its failure budget.')
    .withTarget(new DataqueryBuilder().refId('A').expr('max by (lane) (drover_rollout_halted)').legendFormat('{{lane}}').instant())
    .mappings([valueMap({ '0': { text: 'Rolling out', color: 'green' }, '1': { text: 'Halted', color: 'red' } })])
    .textMode(common.BigValueTextMode.ValueAndName).colorMode(common.BigValueColorMode.Background).gridPos({ h: 8, w: 12, x: 0, y: 55 });
}

/** The wave each lane's rollout is at, over time. */
export function rolloutWave() {
  return timeseries('Rollout wave', 'The wave each staged rollout is rolling out (1-based; the number of waves once completed).')
    .withTarget(series('A', 'max by (lane) (drover_rollout_wave)', '{{lane}}')).min(0).decimals(0).gridPos({ h: 8, w: 12, x: 12, y: 55 });
}
