import { describe, expect, it } from 'vitest';
import {
  CHANGE_ACTIONS, FETCH_RESULTS, HOST_STATUSES, RECONCILE_PHASES, RECONCILE_RESULTS, RESOURCE_KINDS, SSH_ERROR_REASONS,
  TRIGGERS, WEBHOOK_PROVIDERS, WEBHOOK_RESULTS, sshErrorReason,
} from '../../../../controller/daemon/metrics/metric-labels.js';
import { createMetrics } from '../../../../controller/daemon/metrics/metrics.js';
import { DELIVERY_RESULTS } from '../../../../controller/daemon/metrics/report-metrics.js';
import { parseExposition } from '../../../support/exposition.js';

/** Every value each label name may take; `host` and `revision` are the only open ones. */
const CLOSED: Record<string, readonly string[]> = {
  version: ['9.9.9'],
  status: HOST_STATUSES,
  result: [...FETCH_RESULTS, ...RECONCILE_RESULTS, ...WEBHOOK_RESULTS, ...DELIVERY_RESULTS],
  dry_run: ['true', 'false'],
  trigger: TRIGGERS,
  phase: RECONCILE_PHASES,
  kind: RESOURCE_KINDS,
  action: CHANGE_ACTIONS,
  reason: SSH_ERROR_REASONS,
  provider: WEBHOOK_PROVIDERS,
};
const OPEN = new Set(['host', 'revision']);

/** Arbitrary text a buggy or hostile input could carry. */
const junk = (i: number) => `x${i} "quoted" \\ ${'z'.repeat(i)}`;

describe('label values', () => {
  it('stay within closed sets whatever the controller is fed, except host and revision', async () => {
    const metrics = createMetrics({ version: '9.9.9', processMetrics: false, driftIntervalMs: 60_000 });
    for (let i = 0; i < 50; i++) {
      metrics.recordFetch({ ok: i % 2 === 0, atMs: i, revision: junk(i) });
      metrics.countSshError(junk(i));
      metrics.countSshError(`E_${junk(i)}`);
      metrics.recordReconcile({
        result: RECONCILE_RESULTS[i % RECONCILE_RESULTS.length]!, dryRun: i % 2 === 0, trigger: TRIGGERS[i % TRIGGERS.length]!,
        durationMs: i, phaseDurationsMs: { observe: i }, changes: [{ kind: junk(i), action: 'update' }],
      });
      metrics.setHostRecord({ host: junk(i), status: i % 5 ? HOST_STATUSES[i % HOST_STATUSES.length]! : junk(i), lastAppliedRevision: junk(i) });
    }
    const samples = parseExposition(await metrics.exposition());
    const seen = new Map<string, Set<string>>();
    for (const sample of samples) {
      for (const [label, value] of Object.entries(sample.labels)) {
        if (OPEN.has(label) || label === 'le') continue;
        if (!seen.has(label)) seen.set(label, new Set());
        seen.get(label)?.add(value);
      }
    }
    expect([...seen.keys()].sort()).toEqual(Object.keys(CLOSED).sort());
    for (const [label, values] of seen) expect([...values].filter((v) => !CLOSED[label]?.includes(v)), label).toEqual([]);
    const statusLines = samples.filter((s) => s.name === 'drover_host_status');
    expect(statusLines).toHaveLength(50 * HOST_STATUSES.length);
  });

  it('maps transport error codes to reasons, and anything else to other', () => {
    expect(sshErrorReason('E_CONNECT_REFUSED')).toBe('connect_refused');
    expect(sshErrorReason('E_HOST_KEY_MISMATCH')).toBe('host_key_mismatch');
    expect(sshErrorReason('E_SSH_PROTOCOL')).toBe('ssh_protocol');
    expect(sshErrorReason('ECONNRESET')).toBe('other');
    expect(sshErrorReason('')).toBe('other');
  });

  it('refuses a label value outside its set (a caller bug) with a TypeError naming the metric', () => {
    const metrics = createMetrics({ version: 't', processMetrics: false });
    expect(() => metrics.countSync('cron' as never)).toThrow(/drover_sync_requests_total\{trigger\}.*"cron"/);
    expect(() => metrics.countWebhook('bitbucket' as never, 'accepted')).toThrow(/provider/);
    expect(() => metrics.recordReconcile({ result: 'ok' as never, dryRun: false, trigger: 'drift', durationMs: 1 })).toThrow(/result/);
  });
});
