/**
 * loadControllerConfig on fixture config files (test/fixtures/config/<case>): valid cases pin the
 * resolved settings (expected.json), invalid ones every error as `file:line:col  path  message`
 * (expected-errors.txt). UPDATE_FIXTURES=1 rewrites the expected files (review the diff).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../manifests/errors.js';
import { ConfigInvalidError, defaultStateDir, loadControllerConfig } from '../../../controller/config/index.js';
import { caseNames, expectedText, fixturesDir } from '../manifests/fixtures.js';

const base = fixturesDir('config');
const env = { DROVER_TEST_API_TOKEN: 'api-token-value-0123', HOME: '/home/nobody' };

async function errorsOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err, 'expected the config to be refused').toBeInstanceOf(ConfigInvalidError);
  return `${(err as ConfigInvalidError).problems.map(formatProblem).join('\n')}\n`;
}

describe('controller config fixtures (test/fixtures/config/<case>)', () => {
  for (const name of caseNames(base)) {
    const dir = join(base, name);
    it(name, async () => {
      const load = loadControllerConfig({ cwd: dir, env, isRoot: false });
      if (existsSync(join(dir, 'expected-errors.txt'))) {
        const actual = await errorsOf(load);
        expect(actual).toBe(expectedText(join(dir, 'expected-errors.txt'), actual));
        return;
      }
      const actual = `${JSON.stringify(await load, null, 2).replaceAll(dir, '<case>')}\n`;
      expect(actual).toBe(expectedText(join(dir, 'expected.json'), actual));
    });
  }
});

describe('loadControllerConfig', () => {
  it('runs with no file at all from --repo (the embedded default), paths relative to the working directory', async () => {
    const cwd = join(base, 'no-such-dir-has-no-config');
    const settings = await loadControllerConfig({ cwd, env: {}, isRoot: false, overrides: { repo: 'fleet', stateDir: 'st' } });
    expect(settings.source).toMatchObject({ url: join(cwd, 'fleet'), ref: { branch: 'main' }, intervalMs: 60_000, allowNonFastForward: false });
    expect(settings.stateDir).toBe(join(cwd, 'st'));
    expect(settings.configFile).toBeUndefined();
    expect(settings).toMatchObject({ concurrency: 20, selfHeal: false, driftIntervalMs: 300_000, listen: '127.0.0.1:8080' });
  });

  it('keeps a remote URL as given, and --branch replaces the ref of the file', async () => {
    const settings = await loadControllerConfig({
      cwd: join(base, 'js-config'), env: {}, isRoot: false, overrides: { repo: 'git@example.com:ops/x.git', branch: 'next' },
    });
    expect(settings.source.url).toBe('git@example.com:ops/x.git');
    expect(settings.source.ref).toEqual({ branch: 'next' });
  });

  it('refuses to start with neither a config nor --repo, and with a --config file that does not exist', async () => {
    await expect(loadControllerConfig({ cwd: join(base, 'nothing-here'), env: {}, isRoot: false })).rejects.toThrow(/no controller config found .* pass --repo/);
    await expect(loadControllerConfig({ cwd: base, env: {}, isRoot: false, configFile: 'nope.yaml' })).rejects.toThrow(/config file not found: nope.yaml/);
  });

  it('reads --config FILE relative to the working directory, and reports errors with that path', async () => {
    const text = await errorsOf(loadControllerConfig({ cwd: base, env: {}, isRoot: false, configFile: 'yaml-syntax/drover.config.yaml' }));
    expect(text).toMatch(/^yaml-syntax\/drover\.config\.yaml:\d+:\d+ {2}\. {2}YAML syntax error/);
  });

  it('refuses an API token too short to protect anything, naming where it came from', async () => {
    const text = await errorsOf(loadControllerConfig({ cwd: join(base, 'valid-full'), env: { ...env, DROVER_TEST_API_TOKEN: 'x' }, isRoot: false }));
    expect(text).toMatch(/^drover\.config\.yaml:\d+:\d+ {2}apiTokenEnv {2}the apiToken is 1 characters; use at least 16 random ones/m);
  });

  it('never shows a credential when the settings are logged, printed or serialised', async () => {
    const settings = await loadControllerConfig({ cwd: join(base, 'valid-full'), env, isRoot: false });
    const shown = [JSON.stringify(settings), inspect(settings, { depth: 10 }), String(settings.apiToken), `${settings.source.token}`].join('\n');
    for (const secret of ['s3cr3t-git-token', 'hook-secret', 'api-token-value-0123']) expect(shown).not.toContain(secret);
    expect(settings.source.token?.reveal()).toBe('s3cr3t-git-token');
    expect(settings.apiToken?.reveal()).toBe('api-token-value-0123');
  });
});

describe('defaultStateDir', () => {
  it('is $STATE_DIRECTORY, then /var/lib/drover as root, else ./.drover-state', () => {
    expect(defaultStateDir({ env: { STATE_DIRECTORY: '/var/lib/drover-a:/var/lib/b' }, isRoot: true, cwd: '/x' })).toBe('/var/lib/drover-a');
    expect(defaultStateDir({ env: {}, isRoot: true, cwd: '/x' })).toBe('/var/lib/drover');
    expect(defaultStateDir({ env: {}, isRoot: false, cwd: '/x' })).toBe('/x/.drover-state');
  });
});
