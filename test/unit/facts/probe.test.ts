import { describe, expect, it } from 'vitest';
import { buildProbe, FACT_DOMAINS } from '../../../controller/facts/probe.js';
import type { ResourceKind } from '../../../manifests/types.js';
import { FIXTURE_TOKEN, loadFixtures } from './fixtures.js';

const generated = loadFixtures().filter((c) => c.probe !== undefined);

describe('buildProbe', () => {
  it.each(generated.map((c) => [c.name, c] as const))('still builds the probe that produced fixture %s', (_name, c) => {
    // A change to a fragment must come with regenerated fixtures (test/fixtures/facts/generate.ts).
    expect(buildProbe(c.resources, { token: FIXTURE_TOKEN, guardTimeoutSec: c.guardTimeoutSec, droverState: c.droverState })).toBe(c.probe);
  });

  it('covers every resource kind with exactly one domain', () => {
    const kinds: ResourceKind[] = ['package', 'file', 'directory', 'symlink', 'line', 'user', 'group', 'service', 'command', 'git', 'secret', 'ssh_key', 'cron', 'sysctl'];
    const covered = FACT_DOMAINS.flatMap((d) => d.kinds);
    expect([...covered].sort()).toEqual([...kinds].sort());
  });

  it('frames only the sections that have resources, inside a function run with stdin from /dev/null', () => {
    const c = generated.find((x) => x.name === 'apt-packages')!;
    const script = buildProbe(c.resources, { token: FIXTURE_TOKEN });
    expect(script.match(/echo "\$_T begin (\w+)"/g)).toEqual(['echo "$_T begin platform"', 'echo "$_T begin packages"']);
    expect(script.trimEnd().split('\n').slice(-3)).toEqual(['}', '_main </dev/null', 'exit 0']);
  });

  it('runs resource sections in sub-shells, the fixed platform and drover sections in the probe\'s own shell', () => {
    const c = generated.find((x) => x.name === 'drover-state')!;
    const script = buildProbe(c.resources, { token: FIXTURE_TOKEN, droverState: true });
    const groups = [...script.matchAll(/echo "\$_T begin (\w+)"\n(.)\n/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(groups).toEqual(['platform {', 'files (', 'drover {', 'boot {']);
    expect(script).toMatch(/\n\}\necho "\$_T end boot \$\?"\n/);
  });

  it('puts hostile paths into the script only as single-quoted words', () => {
    const c = generated.find((x) => x.name === 'hostile-names')!;
    const script = buildProbe(c.resources, { token: FIXTURE_TOKEN });
    expect(script).toContain(`'/tmp/drover-facts-fixtures/hostile-names/$(touch PWNED)'`);
    expect(script).toContain(`'/tmp/drover-facts-fixtures/hostile-names/quote'\\''s "double"'`);
    expect(script).not.toMatch(/[^'/]\$\(touch PWNED\)/);
  });

  it('never names a secret value: masked files read secrets by path inside awk', () => {
    const c = generated.find((x) => x.name === 'secrets-sshkeys')!;
    const script = buildProbe(c.resources, { token: FIXTURE_TOKEN });
    expect(script).toContain(`_S1=/tmp/drover-facts-fixtures/secrets-sshkeys/secrets/db _N1=db`);
    expect(script).not.toContain('p@ss w0rd');
  });

  it('rejects a short or non-alphanumeric token', () => {
    expect(() => buildProbe([], { token: 'short' })).toThrow(/token/);
    expect(() => buildProbe([], { token: 'has space 0123456789abcdef' })).toThrow(/token/);
  });
});
