import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DroverError, ManifestInvalidError, createManifestValidator, formatProblem, loadRepository, loadValidRepository,
} from '../../../manifests/index.js';
import { fixturesDir } from './fixtures.js';

const valid = (name: string): string => join(fixturesDir('manifests'), name, 'repo');
const invalid = (name: string): string => join(fixturesDir('invalid-repos'), name);

describe('loadRepository / loadValidRepository contract', () => {
  it('throws E_REPO_NOT_FOUND when the root is not a directory', async () => {
    const error = await loadRepository(join(fixturesDir('manifests'), 'no-such-repo')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DroverError);
    expect((error as DroverError).code).toBe('E_REPO_NOT_FOUND');
    const file = await loadRepository(join(valid('templates'), 'drover.yaml')).catch((e: unknown) => e);
    expect((file as DroverError).code).toBe('E_REPO_NOT_FOUND');
  });

  it('loadValidRepository throws ManifestInvalidError carrying every problem, sorted', async () => {
    const { problems } = await loadRepository(invalid('several-errors'));
    const error = await loadValidRepository(invalid('several-errors')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestInvalidError);
    expect((error as ManifestInvalidError).code).toBe('E_MANIFEST_INVALID');
    expect((error as ManifestInvalidError).problems).toEqual(problems);
    expect((error as Error).message).toBe(`manifest repository is invalid (7 problems): ${formatProblem(problems[0]!)}`);
  });

  it('loadValidRepository returns the hosts of a valid repository', async () => {
    const loaded = await loadValidRepository(valid('templates'));
    expect(loaded.hosts.map((h) => h.host.name)).toEqual(['app1', 'app2', 'cache1']);
  });

  it('options.hosts builds only those hosts but still validates every file', async () => {
    const loaded = await loadRepository(invalid('several-errors'), { hosts: ['web2'] });
    expect(loaded.hosts.map((h) => h.host.name)).toEqual(['web2']);
    const lines = loaded.problems.map(formatProblem);
    expect(lines).toContain('hosts/web1.yaml:6:12  resources[0].shell  must be an absolute path (starting with "/"), got a string ("bash")');
    expect(lines.filter((l) => l.startsWith('templates/'))).toEqual([
      'templates/apache/default/ports.conf:2:1  .  parseIf: expected elif, else, or endif, got end of file (used by file:/etc/apache2/ports.conf declared at roles/apache.yaml:4:5) (host web2)',
    ]);
  });

  it('options.hosts with an unknown name throws E_HOST_UNKNOWN with a suggestion', async () => {
    const error = await loadRepository(valid('templates'), { hosts: ['app3'] }).catch((e: unknown) => e);
    expect((error as DroverError).code).toBe('E_HOST_UNKNOWN');
    expect((error as Error).message).toBe('unknown host "app3"; did you mean "app1"?; hosts are the files hosts/<name>.yaml');
  });

  it('a validator compiled once can be reused across loads with the same result', async () => {
    const validator = createManifestValidator();
    const first = await loadRepository(invalid('unknown-key'), { validator });
    const second = await loadRepository(invalid('unknown-key'), { validator });
    const fresh = await loadRepository(invalid('unknown-key'));
    expect(second.problems).toEqual(first.problems);
    expect(fresh.problems).toEqual(first.problems);
  });
});
