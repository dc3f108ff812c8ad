import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRepository } from '../../../manifests/index.js';
import { rolloutOf, windowsOf } from '../../../controller/rollout/index.js';

const repo = fileURLToPath(new URL('../../fixtures/rollout/repo/', import.meta.url));

describe('rollout policies and windows in a repository', () => {
  it('reads drover.yaml and group policies; a group policy replaces drover.yaml for its members', async () => {
    const loaded = await loadRepository(repo);
    expect(loaded.problems).toEqual([]);
    const { policies } = loaded;
    expect(policies.rollout?.waves.map(({ origin: _o, ...w }) => w)).toEqual([
      { name: 'canary', group: 'canary', pauseMs: 300_000 },
      { name: 'wave-2', percent: 50, maxFailurePercent: 10, pauseMs: 0 },
    ]);
    expect(policies.rollout?.waves[1]?.origin).toEqual({ file: 'drover.yaml', line: 5, col: 7 });
    const host = (name: string) => loaded.hosts.find((d) => d.host.name === name)!.host;
    expect(rolloutOf(host('web1').groups, policies)?.lane).toBe('default');
    expect(rolloutOf(host('web2').groups, policies)?.lane).toBe('db');
    expect(windowsOf(host('app1').groups, policies).map((w) => [w.kind, w.cron, w.durationMs, w.timeZone])).toEqual([['deny', '0 9 * * 1-5', 28_800_000, 'Europe/Berlin']]);
    expect(windowsOf(host('db1').groups, policies).map((w) => [w.kind, w.timeZone])).toEqual([['allow', 'UTC']]);
  });

  it('rollbackOnFailedTests: the host wins over its groups, a group over its roles', async () => {
    const { hosts } = await loadRepository(repo);
    const flags = Object.fromEntries(hosts.map((d) => [d.host.name, d.host.rollbackOnFailedTests ?? false]));
    expect(flags).toEqual({ app1: false, db1: true, web1: false, web2: true });
  });
});
