/**
 * The README's first command ends in `npm run demo`: it must really converge a host, find it in sync,
 * and repair drift, through the built CLI against a throwaway fleet host, and clean up after itself.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../integration/cli/run-cli.js';
import { wildcardPort22Taken } from '../fleet/listeners.js';

describe('npm run demo', () => {
  it('converges examples/quickstart on a throwaway host, finds it in sync, repairs drift, and leaves nothing behind', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test/fleet/demo.ts')], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(run.stderr).not.toContain('demo failed');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/web1\s+converged\s+5\s+0\s+0/);
    expect(run.stdout).toContain('web1 (127.77.');
    expect(run.stdout).toMatch(/in sync \(4 resources\)/);
    expect(run.stdout).toContain('-edited by hand');
    expect(run.stdout).toMatch(/changed\s+regen_srv_quickstart_hello_txt/);
    expect(run.stdout).toContain('== done');
    const copy = /the manifests are a copy of examples\/quickstart in (\S+)/.exec(run.stdout)?.[1];
    expect(copy).toMatch(/^\//);
    expect(existsSync(copy!)).toBe(false);
    // Its machine preparation ran first and neither started nor left the machine's own sshd on *:22.
    expect(wildcardPort22Taken()).toBe(false);
  });
});
