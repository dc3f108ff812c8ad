import { describe, expect, it } from 'vitest';
import { renderHostPlan, renderSummary } from '../../../controller/cli/render-plan.js';
import { planHost } from '../../../controller/plan/plan-host.js';
import type { FileTexts, HostPlanResult } from '../../../controller/reconcile/types.js';
import { loadPlanCase } from '../plan/plan-fixtures.js';

/** A planned host from a plan fixture (test/fixtures/plan/<name>), with file texts for diffs. */
function planned(name: string, texts?: Record<string, FileTexts>): HostPlanResult {
  const c = loadPlanCase(name);
  const result: HostPlanResult = { host: c.desired.host.name, address: '10.0.0.1:22', plan: planHost(c.desired, c.observed), durationMs: 12 };
  if (texts) result.texts = texts;
  return result;
}

const unreachable: HostPlanResult = {
  host: 'web3', address: '10.0.0.3:22', durationMs: 3000,
  error: { code: 'E_CONNECT_TIMEOUT', message: 'connect to 10.0.0.3:22 timed out after 3s', unreachable: true },
};

const NGINX_BEFORE = 'user www-data;\nworker_processes auto;\npid /run/nginx.pid;\n\nevents {\n  worker_connections 768;\n}\n';
const NGINX_AFTER = 'user www-data;\nworker_processes 4;\npid /run/nginx.pid;\n\nevents {\n  worker_connections 1024;\n}\n';

describe('renderHostPlan', () => {
  it('shows a drifted host like terraform plan: steps by group, reasons, a unified diff', () => {
    const text = renderHostPlan(planned('file-change', { 'file:/etc/nginx/nginx.conf': { before: NGINX_BEFORE, after: NGINX_AFTER } }), { color: false });
    expect(text).toMatchInlineSnapshot(`
      "~ web1 (10.0.0.1:22): 0 to create, 1 to update, 0 to delete, 2 unchanged
          setup_web1
            ~ backup_nginx_conf              keep the current content (sha256 11111111) in the host's backup store
            ~ regen_nginx_conf               content sha256 11111111 -> 22222222; mode 0644 -> 0600; owner root -> www-data
                --- /etc/nginx/nginx.conf (host)
                +++ /etc/nginx/nginx.conf (desired)
                @@ -1,7 +1,7 @@
                 user www-data;
                -worker_processes auto;
                +worker_processes 4;
                 pid /run/nginx.pid;
                 
                 events {
                -  worker_connections 768;
                +  worker_connections 1024;
                 }
            ~ restart_nginx                  restart nginx: notified by file:/etc/nginx/nginx.conf"
    `);
  });
});
