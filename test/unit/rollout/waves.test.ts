import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RolloutPolicy, RolloutWave } from '../../../manifests/policies.js';
import { assignWaves } from '../../../controller/rollout/index.js';

interface WaveFixture {
  name: string;
  hosts: string[];
  members: Record<string, string[]>;
  waves: (Partial<RolloutWave> & { pause?: number })[];
  expected: { name: string; hosts: string[]; budget: number; pauseMs: number }[];
}

const fixtures = JSON.parse(readFileSync(new URL('../../fixtures/rollout/waves.json', import.meta.url), 'utf8')) as WaveFixture[];

function policyOf(f: WaveFixture): RolloutPolicy {
  return {
    lane: 'default',
    waves: f.waves.map(({ pause, ...w }, i) => ({ ...w, name: w.name ?? w.group ?? `wave-${i + 1}`, pauseMs: pause ?? 0, origin: { file: 'drover.yaml', line: 1, col: 1 } })),
  };
}

describe('assignWaves', () => {
  it.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    const waves = assignWaves({ hosts: f.hosts, policy: policyOf(f), members: f.members });
    expect(waves.map(({ name, hosts, budget, pauseMs }) => ({ name, hosts, budget, pauseMs }))).toEqual(f.expected);
    expect(waves.map((w) => w.index)).toEqual(f.expected.map((_, i) => i));
  });

  it('is stable: any input order gives the same waves', () => {
    const f = fixtures[0]!;
    const reversed = assignWaves({ hosts: [...f.hosts].reverse(), policy: policyOf(f), members: f.members });
    expect(reversed).toEqual(assignWaves({ hosts: f.hosts, policy: policyOf(f), members: f.members }));
  });
});
