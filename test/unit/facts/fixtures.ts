/** Reads the fact fixtures of test/fixtures/facts (see its README.md). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesiredResource } from '../../../manifests/types.js';

/** The token every fixture output was produced with. */
export const FIXTURE_TOKEN = 'droverfixture0123456789abcdef';

export const FIXTURE_DIR = join(import.meta.dirname, '../../fixtures/facts');

/** One fixture case directory. */
export interface FactFixture {
  name: string;
  dir: string;
  resources: DesiredResource[];
  output: string;
  /** Present for generated cases: the probe that produced output.txt and its options. */
  probe?: string;
  guardTimeoutSec?: number;
  /** The probe also read drover's own state (probe-options.json `droverState`). */
  droverState?: boolean;
  expected?: unknown;
  error?: { code: string; section: string };
}

function readJson<T>(path: string): T | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}

/** Every case directory under `sub` (relative to FIXTURE_DIR) that has a desired.json. */
export function loadFixtures(sub = ''): FactFixture[] {
  const root = join(FIXTURE_DIR, sub);
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'desired.json')))
    .map((d) => {
      const dir = join(root, d.name);
      const probePath = join(dir, 'probe.sh');
      const options = readJson<{ guardTimeoutSec: number; droverState?: boolean }>(join(dir, 'probe-options.json'));
      return {
        name: d.name,
        dir,
        resources: readJson<DesiredResource[]>(join(dir, 'desired.json'))!,
        output: readFileSync(join(dir, 'output.txt'), 'utf8'),
        probe: existsSync(probePath) ? readFileSync(probePath, 'utf8') : undefined,
        guardTimeoutSec: options?.guardTimeoutSec,
        droverState: options?.droverState,
        expected: readJson(join(dir, 'expected.json')),
        error: readJson(join(dir, 'error.json')),
      };
    });
}
