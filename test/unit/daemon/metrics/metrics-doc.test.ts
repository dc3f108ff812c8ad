/**
 * docs/metrics.md lists every metric the controller exports: a metric added to the registry without
 * a line in the doc fails here (and a doc line naming a metric that no longer exists, too).
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../../controller/daemon/metrics/metrics.js';

const doc = new URL('../../../../docs/metrics.md', import.meta.url);

describe('docs/metrics.md', () => {
  it('names exactly the drover_ metrics the registry exports', async () => {
    const metrics = createMetrics({ version: '0.0.0-test', driftIntervalMs: 300_000, processMetrics: false });
    metrics.setHostRecord({ host: 'web1', status: 'Synced', lastSuccessAt: 1, lastAttemptAt: 1, lastAppliedRevision: 'main@sha1:0' });
    const exported = [...new Set([...(await metrics.exposition()).matchAll(/^# TYPE (drover_\w+)/gm)].map((m) => m[1]!))].sort();
    const table = (await readFile(doc, 'utf8')).split('\n').filter((l) => l.startsWith('| `drover_'));
    const documented = table.map((l) => /^\| `(drover_\w+)`/.exec(l)![1]!).sort();
    expect(exported.length).toBeGreaterThan(15);
    expect(documented).toEqual(exported);
  });
});
