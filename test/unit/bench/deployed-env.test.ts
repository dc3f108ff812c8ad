/**
 * deployed-env.ts: the bench starts a build's controller with the NODE_OPTIONS of that build's
 * systemd unit, and without any when the unit sets none (a baseline from before the unit set them).
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deployedEnv, deployedNodeOptions } from '../../bench/deployed-env.js';
import { ROOT } from '../../support/paths.js';

const dirs: string[] = [];
afterAll(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });

async function checkoutWithUnit(unit: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'drover-deployed-env-'));
  dirs.push(dir);
  await mkdir(join(dir, 'deploy/systemd'), { recursive: true });
  await writeFile(join(dir, 'deploy/systemd/drover.service'), unit);
  return dir;
}

describe('deployedNodeOptions', () => {
  it("reads this checkout's unit", () => {
    expect(deployedNodeOptions(ROOT)).toBe('--max-semi-space-size=8');
  });

  it('reads assignments among others, quoted ones, and the last one of several', async () => {
    const root = await checkoutWithUnit('[Service]\nEnvironment=HOME=/x NODE_OPTIONS=--a\nEnvironment="NODE_OPTIONS=--b --c" NODE_ENV=production\n');
    expect(deployedNodeOptions(root)).toBe('--b --c');
  });

  it('is undefined for a unit that sets none, and the env then has none either', async () => {
    const root = await checkoutWithUnit('[Service]\nEnvironment=HOME=/x NODE_ENV=production\n# Environment=NODE_OPTIONS=--a\n');
    expect(deployedNodeOptions(root)).toBeUndefined();
    expect(deployedEnv(root, { PATH: '/bin', NODE_OPTIONS: '--inspect' })).toEqual({ PATH: '/bin' });
    expect(deployedEnv(ROOT, { PATH: '/bin', NODE_OPTIONS: '--inspect' })).toEqual({ PATH: '/bin', NODE_OPTIONS: '--max-semi-space-size=8' });
  });
});
