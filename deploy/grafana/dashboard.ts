/**
 * drover's Grafana dashboard as typed code (@grafana/grafana-foundation-sdk). `npm run dashboard`
 * writes it to deploy/grafana/drover-dashboard.json, which is committed (a test keeps the two equal)
 * and loaded by Grafana through deploy/grafana/provisioning/dashboards/drover.yaml.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import {
  controllerResources, driftPerHost, failures, hostTable, hostsPerStatus, manifestValidity, queueDepth, reconcileDuration,
  revisionAndVersion, runsAndChanges, sourceHealth, sshConnections, sshErrors, syncsAndWebhooks, rolloutState, rolloutWave,
} from './panels.js';

/** The dashboard's fixed uid: links and provisioning keep working across updates. */
export const DASHBOARD_UID = 'drover-overview';

/** The Prometheus data source every panel reads, chosen by the viewer. */
function datasourceVariable() {
  return new dashboard.DatasourceVariableBuilder('datasource').label('Data source').type('prometheus');
}

/** The hosts shown: any of the hosts drover reports, all by default. */
function hostVariable() {
  return new dashboard.QueryVariableBuilder('host').label('Host')
    .datasource({ type: 'prometheus', uid: '${datasource}' })
    .query({ qryType: 1, query: 'label_values(drover_host_status, host)', refId: 'PrometheusVariableQueryEditor-VariableQuery' })
    .definition('label_values(drover_host_status, host)')
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true).includeAll(true).allValue('.*')
    .current({ text: ['All'], value: ['$__all'] });
}

/** The whole dashboard, as the JSON model Grafana loads. */
export function buildDashboard(): dashboard.Dashboard {
  const builder = new dashboard.DashboardBuilder('drover')
    .uid(DASHBOARD_UID)
    .description('GitOps for plain Linux hosts: sync status, drift, runs, source and SSH health, from the controller\'s /metrics.')
    .tags(['drover', 'gitops'])
    .editable()
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .withVariable(datasourceVariable())
    .withVariable(hostVariable());
  for (const panel of [
    hostsPerStatus(), manifestValidity(), revisionAndVersion(), hostTable(), driftPerHost(), queueDepth(), reconcileDuration(),
    failures(), runsAndChanges(), sourceHealth(), sshConnections(), sshErrors(), syncsAndWebhooks(), controllerResources(),
    rolloutState(), rolloutWave(),
  ]) builder.withPanel(panel);
  return builder.build();
}
