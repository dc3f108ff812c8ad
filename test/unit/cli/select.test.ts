import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadValidRepository } from '../../../manifests/index.js';
import { selectHosts } from '../../../controller/cli/select.js';

const webFleet = join(import.meta.dirname, '../../../examples/web-fleet');

describe('host selection (--host, --group, --state)', () => {
  it('filters by names (repeatable and comma lists), group and state, all combined', async () => {
    const { hosts } = await loadValidRepository(webFleet);
    const names = (filter: Parameters<typeof selectHosts>[1]): string[] => selectHosts(hosts, filter).map((h) => h.host.name);
    expect(names({})).toEqual(['web1', 'web2', 'web3']);
    expect(names({ host: ['web3', 'web1,web2'] })).toEqual(['web1', 'web2', 'web3']);
    expect(names({ host: ['web2'] })).toEqual(['web2']);
    expect(names({ group: 'frontend' })).toEqual(['web1', 'web2']);
    expect(names({ group: 'all' })).toEqual(['web1', 'web2', 'web3']);
    expect(names({ state: 'production' })).toEqual(['web1']);
    expect(names({ group: 'frontend', state: 'default' })).toEqual(['web2']);
  });

  it('names unknown hosts and groups with a suggestion', async () => {
    const { hosts } = await loadValidRepository(webFleet);
    expect(() => selectHosts(hosts, { host: ['web4'] })).toThrow('unknown host "web4"; did you mean "web1"?');
    expect(() => selectHosts(hosts, { group: 'fronted' })).toThrow('unknown group "fronted"; did you mean "frontend"?');
  });
});
