/**
 * Writes deploy/grafana/drover-dashboard.json from deploy/grafana/dashboard.ts
 * (`npm run dashboard`). The JSON is committed; test/unit/deploy/dashboard.test.ts fails when the
 * two differ.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildDashboard } from './dashboard.js';

/** Where the generated dashboard lives. */
export const DASHBOARD_JSON = fileURLToPath(new URL('./drover-dashboard.json', import.meta.url));

/** The dashboard as the committed file holds it: 2-space JSON and a final newline. */
export function dashboardJson(): string {
  return `${JSON.stringify(buildDashboard(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(DASHBOARD_JSON, dashboardJson());
  console.log(`wrote ${DASHBOARD_JSON}`);
}
