import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { orderWaves, waitingFor, waitingText, type AssignedWave, type WaitingForHosts } from '../../../controller/rollout/index.js';

interface Fixtures {
  waitingFor: { name: string; after: string[]; revision: string; hosts: Record<string, { status: string; revision?: string; detail?: string }>; expected: WaitingForHosts | null; text?: string }[];
  orderWaves: { name: string; waves: string[][]; after: Record<string, string[]>; expected: string[][] }[];
}

const fixtures = JSON.parse(readFileSync(new URL('../../fixtures/rollout/dependencies.json', import.meta.url), 'utf8')) as Fixtures;

describe('waitingFor (test/fixtures/rollout/dependencies.json)', () => {
  it.each(fixtures.waitingFor.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    const w = waitingFor({ after: f.after, revision: f.revision, lookup: (h) => f.hosts[h] });
    expect(w ?? null).toEqual(f.expected);
    if (w && f.text) expect(waitingText(w)).toBe(f.text);
  });
});

describe('orderWaves (test/fixtures/rollout/dependencies.json)', () => {
  it.each(fixtures.orderWaves.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    const waves: AssignedWave[] = f.waves.map((hosts, index) => ({ index, name: `w${index + 1}`, hosts, budget: 0, pauseMs: 0 }));
    const ordered = orderWaves(waves, (h) => f.after[h] ?? []);
    expect(ordered.map((w) => w.hosts)).toEqual(f.expected);
    expect(ordered.map((w) => w.index)).toEqual(f.expected.map((_, i) => i));
  });
});
