import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../support/paths.js';
import { runDrover } from './run-cli.js';

const invalid = (name: string): string => join(ROOT, 'test/fixtures/invalid-repos', name);

describe('drover validate (the built binary)', () => {
  it('accepts each example with a one-line summary and exit 0', async () => {
    for (const [example, summary] of [
      ['quickstart', 'valid: 1 hosts, 0 groups, 0 roles, 4 resources'],
      ['django-app', 'valid: 2 hosts, 1 groups, 1 roles, 48 resources'],
      ['web-fleet', 'valid: 3 hosts, 2 groups, 1 roles, 25 resources'],
    ] as const) {
      const run = await runDrover(['validate', `examples/${example}`]);
      expect({ example, code: run.code, stdout: run.stdout.trim(), stderr: run.stderr }).toEqual({ example, code: 0, stdout: summary, stderr: '' });
    }
  });

  it('reports every problem of an invalid repository as file:line:col  path  message, and exits 1', async () => {
    const run = await runDrover(['validate', invalid('several-errors')]);
    const expected = readFileSync(join(invalid('several-errors'), 'expected-errors.txt'), 'utf8').trim().split('\n');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([...expected, `invalid: ${expected.length} problems`]);
  });

  it('gives problems as JSON with --output json', async () => {
    const run = await runDrover(['validate', invalid('unknown-key'), '--output', 'json']);
    const body = JSON.parse(run.stdout) as { valid: boolean; problems: { file: string; message: string }[] };
    expect(run.code).toBe(1);
    expect(body.valid).toBe(false);
    expect(body.problems[0]?.message).toMatch(/did you mean/);
  });

  it('names a missing repository and how to pass one', async () => {
    const run = await runDrover(['validate', 'no/such/repo']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('drover: repository directory not found: no/such/repo. Pass the path of a manifest repository, e.g. "drover validate examples/quickstart".\n');
  });

  it('rejects an unknown flag with a pointer to --help, and no stack trace', async () => {
    const run = await runDrover(['validate', '--bogus', 'examples/quickstart']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error: unknown option '--bogus'");
    expect(run.stderr).toContain('drover --help');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('suggests the nearest command for a typo', async () => {
    const run = await runDrover(['validat', 'examples/quickstart']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('(Did you mean validate?)');
  });
});

describe('drover hosts', () => {
  it('lists the resolved inventory of web-fleet', async () => {
    const run = await runDrover(['hosts', 'examples/web-fleet']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatchInlineSnapshot(`
      "HOST  ADDRESS       PLATFORM  STATE       GROUPS        ROLES   RESOURCES
      web1  127.0.0.2:22  debian    production  all,frontend  apache  9
      web2  127.0.0.3:22  debian    default     all,frontend  apache  9
      web3  127.0.0.4:22  rhel      default     all           apache  7
      "
    `);
  });

  it('gives the inventory as JSON', async () => {
    const run = await runDrover(['hosts', 'examples/django-app', '-o', 'json']);
    const hosts = JSON.parse(run.stdout) as { name: string; state: string; groups: string[]; roles: string[] }[];
    expect(hosts.map((h) => [h.name, h.state, h.groups, h.roles])).toEqual([
      ['django-prod', 'production', ['django'], ['django']],
      ['django-staging', 'staging', ['django'], ['django']],
    ]);
  });

  it('refuses an invalid repository, printing its problems', async () => {
    const run = await runDrover(['hosts', invalid('unknown-key')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^hosts\/.*did you mean/m);
    expect(run.stderr).toContain('run "drover validate" for details');
  });
});
