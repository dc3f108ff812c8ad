import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRepository } from '../../../manifests/index.js';

const repo = fileURLToPath(new URL('../../fixtures/reboot/repo/', import.meta.url));

describe('reboot and rebootTimeout in a repository (test/fixtures/reboot/repo)', () => {
  it('a host wins over its groups, a group over its roles, a role over drover.yaml settings; each key on its own', async () => {
    const loaded = await loadRepository(repo);
    expect(loaded.problems).toEqual([]);
    const settings = Object.fromEntries(loaded.hosts.map((d) => [d.host.name, [d.host.reboot, d.host.rebootTimeoutMs]]));
    expect(settings).toEqual({
      k1: ['auto', 120_000],
      k2: ['report', 600_000],
      plain: ['never', 600_000],
      solo: ['report', 120_000],
    });
  });
});
