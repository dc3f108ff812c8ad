import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRepository } from '../../../manifests/index.js';

const repo = fileURLToPath(new URL('../../fixtures/conflict/repo/', import.meta.url));

describe('conflict: when self-heal gives up on a resource', () => {
  it('merges field by field: the host wins over its groups, a group over its roles, a role over drover.yaml, then the default', async () => {
    const loaded = await loadRepository(repo);
    expect(loaded.problems).toEqual([]);
    const policies = Object.fromEntries(loaded.hosts.map((d) => [d.host.name, d.host.conflict]));
    expect(policies).toEqual({
      web1: { repairs: 4, withinMs: 600_000 },
      web2: { repairs: 5, withinMs: 1_800_000 },
      web3: { repairs: 3, withinMs: 1_800_000 },
    });
  });
});
