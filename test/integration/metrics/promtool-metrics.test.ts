import { beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../controller/daemon/metrics/metrics.js';
import { parseExposition } from '../../support/exposition.js';
import { requirePrometheus, runPromtool } from '../../support/promtool.js';

describe("drover's exposition, read by Prometheus's own linter", () => {
  beforeAll(() => requirePrometheus());

  it('passes `promtool check metrics` (naming and unit conventions) with every metric holding data', async () => {
    const metrics = createMetrics({ version: '1.0.0', driftIntervalMs: 300_000, processMetrics: false });
    metrics.recordFetch({ ok: true, atMs: 1_700_000_000_000, revision: 'main@sha1:0123456789012345678901234567890123456789' });
    metrics.setManifestValid(true);
    metrics.recordReconcile({ result: 'applied', dryRun: false, trigger: 'revision', durationMs: 900, phaseDurationsMs: { observe: 100 }, changes: [{ kind: 'file', action: 'update' }] });
    metrics.setHostRecord({ host: 'web1', status: 'Synced', lastAppliedRevision: 'main@sha1:0123456789012345678901234567890123456789', lastAttemptAt: 1, lastSuccessAt: 1 });
    metrics.observeSshConnect(15);
    const text = await metrics.exposition();
    const result = await runPromtool(['check', 'metrics'], text);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('also serves the default process metrics (unprefixed, as every Node.js dashboard expects them)', async () => {
    const names = new Set(parseExposition(await createMetrics({ version: '1.0.0' }).exposition()).map((s) => s.name));
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(names.has(name), name).toBe(true);
    }
  });
});
