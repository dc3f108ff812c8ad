import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMetrics, type DroverMetrics, type MetricsOptions } from '../../../../controller/daemon/metrics/metrics.js';
import { parseExposition, type Sample } from '../../../support/exposition.js';

const FIXTURES = new URL('../../../fixtures/metrics/', import.meta.url);

interface Fixture {
  description: string;
  options: MetricsOptions;
  calls: [string, ...unknown[]][];
  /** Sample lines; every sample of a name listed here must be listed (zero samples left out when omitZeroSamples). */
  expect: string[];
  omitZeroSamples?: boolean;
}

function play(metrics: DroverMetrics, calls: Fixture['calls']): void {
  for (const [method, ...args] of calls) {
    const fn = (metrics as unknown as Record<string, (...a: unknown[]) => void>)[method];
    if (typeof fn !== 'function') throw new Error(`fixture calls unknown method ${method}`);
    fn.apply(metrics, args);
  }
}

const key = (s: Sample): string => `${s.name}{${Object.entries(s.labels).sort().map(([k, v]) => `${k}=${v}`).join(',')}}`;

describe('metrics exposition for fixture inputs', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();
  it('has fixtures', () => expect(files.length).toBeGreaterThanOrEqual(4));

  for (const file of files) {
    const fixture = JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as Fixture;
    it(`${file}: ${fixture.description}`, async () => {
      const metrics = createMetrics({ ...fixture.options, processMetrics: false });
      play(metrics, fixture.calls);
      const expected = parseExposition(fixture.expect.join('\n'));
      const names = new Set(expected.map((s) => s.name));
      const actual = parseExposition(await metrics.exposition())
        .filter((s) => names.has(s.name) && !(fixture.omitZeroSamples && s.value === 0));
      expect(actual.map(key).sort()).toEqual(expected.map(key).sort());
      const values = new Map(actual.map((s) => [key(s), s.value]));
      for (const s of expected) expect(values.get(key(s)), key(s)).toBeCloseTo(s.value, 9);
    });
  }
});

describe('series per host', () => {
  const record = (i: number) => ({
    host: `host${i}`, status: i % 3 ? 'Synced' : 'Failed', lastAppliedRevision: `main@sha1:${String(i).padStart(40, '0')}`,
    lastAttemptAt: 1_700_000_000_000 + i, lastSuccessAt: 1_700_000_000_000, lastPlan: { inSync: true, counts: {} },
  });
  const seriesCount = async (metrics: DroverMetrics) => parseExposition(await metrics.exposition()).length;

  it('grows linearly with the number of hosts and drops back when hosts are removed', async () => {
    const metrics = createMetrics({ version: 't', processMetrics: false });
    const counts = [await seriesCount(metrics)];
    for (const hosts of [10, 20, 40]) {
      for (let i = 0; i < hosts; i++) metrics.setHostRecord(record(i));
      counts.push(await seriesCount(metrics));
    }
    // 7 status series + held + drift + conflicts + reboot required + last success + last attempt + applied revision
    // = 14 per host (drover_resource_conflicts has a series per resource in Conflict only).
    expect(counts.map((c) => c - (counts[0] as number))).toEqual([0, 140, 280, 560]);

    for (let i = 10; i < 40; i++) metrics.removeHost(`host${i}`);
    expect(await seriesCount(metrics)).toBe((counts[0] as number) + 140);
    metrics.retainHosts(new Set(['host0', 'host1']));
    expect(await seriesCount(metrics)).toBe((counts[0] as number) + 28);
    const hosts = new Set(parseExposition(await metrics.exposition()).map((s) => s.labels.host).filter(Boolean));
    expect([...hosts].sort()).toEqual(['host0', 'host1']);
  });

  it('keeps one revision series per host however often its revision changes', async () => {
    const metrics = createMetrics({ version: 't', processMetrics: false });
    for (let rev = 0; rev < 5; rev++) metrics.setHostRecord({ ...record(1), lastAppliedRevision: `main@sha1:${rev}` });
    for (let rev = 0; rev < 5; rev++) metrics.recordFetch({ ok: true, atMs: rev, revision: `main@sha1:${rev}` });
    const samples = parseExposition(await metrics.exposition());
    expect(samples.filter((s) => s.name === 'drover_host_applied_revision_info').map((s) => s.labels.revision)).toEqual(['main@sha1:4']);
    expect(samples.filter((s) => s.name === 'drover_source_revision_info').map((s) => s.labels.revision)).toEqual(['main@sha1:4']);
  });

  it('leaves the host series of a metrics object alone when another one changes (no global registry)', async () => {
    const a = createMetrics({ version: 'a', processMetrics: false });
    const b = createMetrics({ version: 'b', processMetrics: false });
    a.setHostRecord(record(1));
    expect(parseExposition(await b.exposition()).some((s) => s.labels.host)).toBe(false);
    expect(parseExposition(await b.exposition()).find((s) => s.name === 'drover_build_info')?.labels).toEqual({ version: 'b' });
  });
});

describe('hosts read at each scrape', () => {
  it('replaceHosts from a beforeScrape hook shows exactly the hosts the provider returns, with their status of now', async () => {
    const metrics = createMetrics({ version: 't', processMetrics: false });
    let live = [{ host: 'a', status: 'Synced' }, { host: 'b', status: 'Synced' }];
    let depth = 0;
    metrics.beforeScrape(() => {
      metrics.replaceHosts(live);
      metrics.setQueueDepth(depth);
    });
    metrics.setHostRecord({ host: 'stale', status: 'Failed' });
    const statusOf = async () => Object.fromEntries(parseExposition(await metrics.exposition())
      .filter((s) => s.name === 'drover_host_status' && s.value === 1).map((s) => [s.labels.host, s.labels.status]));
    expect(await statusOf()).toEqual({ a: 'Synced', b: 'Synced' });
    live = [{ host: 'a', status: 'Rejected' }];
    depth = 3;
    expect(await statusOf()).toEqual({ a: 'Rejected' });
    expect(parseExposition(await metrics.exposition()).find((s) => s.name === 'drover_queue_depth')?.value).toBe(3);
  });
});

describe('drover_host_held', () => {
  it('is 1 for an OutOfSync host held by a window or a rollout, 0 for drift and other statuses', async () => {
    const metrics = createMetrics({ version: 't', processMetrics: false });
    metrics.setHostRecord({ host: 'win', status: 'OutOfSync', reason: 'OutsideWindow: inside deny window "* * * * *" (UTC, 60m)' });
    metrics.setHostRecord({ host: 'wave', status: 'OutOfSync', reason: 'RolloutHalted: wave canary (1/3): ...' });
    metrics.setHostRecord({ host: 'drift', status: 'OutOfSync', reason: '2 changes pending against main@sha1:x (reported, not applied)' });
    metrics.setHostRecord({ host: 'failed', status: 'Failed', reason: 'RolledBack: test_web_health failed' });
    const held = parseExposition(await metrics.exposition()).filter((s) => s.name === 'drover_host_held').map((s) => [s.labels.host, s.value]);
    expect(held.sort()).toEqual([['drift', 0], ['failed', 0], ['wave', 1], ['win', 1]]);
  });
});

describe('drover_host_reboot_required', () => {
  it('is 1 for a host whose record says it needs a reboot, 0 for the others, and follows the record', async () => {
    const metrics = createMetrics({ version: 't', processMetrics: false });
    const needs = { reasons: ['/var/run/reboot-required exists'], action: 'report', since: 1 };
    metrics.setHostRecord({ host: 'k1', status: 'Synced', rebootRequired: needs });
    metrics.setHostRecord({ host: 'k2', status: 'Synced' });
    const values = async () => parseExposition(await metrics.exposition()).filter((s) => s.name === 'drover_host_reboot_required').map((s) => [s.labels.host, s.value]).sort();
    expect(await values()).toEqual([['k1', 1], ['k2', 0]]);
    metrics.setHostRecord({ host: 'k1', status: 'Synced' });
    expect(await values()).toEqual([['k1', 0], ['k2', 0]]);
  });
});

describe('drover_host_lockouts_total', () => {
  it('has a series at 0 for every live host, counts lockouts, and drops hosts that left', async () => {
    const metrics = createMetrics({ version: '0.0.0-test', driftIntervalMs: 300_000, processMetrics: false });
    metrics.replaceHosts([{ host: 'web1', status: 'Synced' }, { host: 'web2', status: 'Failed' }]);
    metrics.countLockout('web2');
    metrics.countLockout('web2');
    let text = await metrics.exposition();
    expect(text).toContain('drover_host_lockouts_total{host="web1"} 0');
    expect(text).toContain('drover_host_lockouts_total{host="web2"} 2');
    metrics.replaceHosts([{ host: 'web1', status: 'Synced' }]);
    text = await metrics.exposition();
    expect(text).not.toContain('host="web2"');
  });
});
