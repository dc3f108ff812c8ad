import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { WindowSpec } from '../../../manifests/policies.js';
import { windowVerdict } from '../../../controller/rollout/index.js';

interface WindowFixture {
  name: string;
  windows: Omit<WindowSpec, 'origin'>[];
  cases: { at: string; open: boolean; opensAt?: string }[];
}

const fixtures = JSON.parse(readFileSync(new URL('../../fixtures/rollout/windows.json', import.meta.url), 'utf8')) as WindowFixture[];
const rows = fixtures.flatMap((f) => f.cases.map((c) => [`${f.name}: ${c.at}`, f, c] as const));

describe('windowVerdict', () => {
  it.each(rows)('%s', (_name, f, c) => {
    const windows = f.windows.map((w) => ({ ...w, origin: { file: 'drover.yaml', line: 1, col: 1 } }));
    const verdict = windowVerdict(windows, Date.parse(c.at));
    expect(verdict.open).toBe(c.open);
    if (c.open) return;
    expect(verdict.reason).toMatch(/^OutsideWindow: /);
    expect(verdict.opensAt === undefined ? undefined : new Date(verdict.opensAt).toISOString()).toBe(c.opensAt === undefined ? undefined : new Date(c.opensAt).toISOString());
  });
});
