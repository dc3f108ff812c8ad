import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { driftChecksDue, nextFetchAt, type DriftFacts } from '../../../../controller/daemon/work/schedule.js';
import type { RunRecord } from '../../../../controller/daemon/state/records.js';

interface HostFixture { suspended?: boolean; removedAt?: number; running?: boolean; lastAttemptAt?: number }

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../../../fixtures/daemon/schedule.json'), 'utf8')) as {
  fetch: { cases: { name: string; from: number; intervalMs: number; jitterMs: number; random: number; at: number }[] };
  drift: { cases: { name: string; now: number; intervalMs: number; hosts: Record<string, HostFixture>; due: string[]; nextDueAt?: number }[] };
};

const RUN: RunRecord = { id: 'r1', trigger: 'drift', revision: 'main@sha1:' + '1'.repeat(40), startedAt: 0, dryRun: true, changedSteps: [] };

function factsOf(host: string, f: HostFixture): DriftFacts {
  return { host, suspended: f.suspended ?? false, removedAt: f.removedAt, lastAttemptAt: f.lastAttemptAt, running: f.running ? RUN : undefined };
}

describe('nextFetchAt', () => {
  for (const c of fixture.fetch.cases) {
    it(c.name, () => {
      expect(nextFetchAt(c.from, { intervalMs: c.intervalMs, jitterMs: c.jitterMs, random: () => c.random })).toBe(c.at);
    });
  }
});

describe('driftChecksDue', () => {
  for (const c of fixture.drift.cases) {
    it(c.name, () => {
      const hosts = Object.entries(c.hosts).map(([name, f]) => factsOf(name, f));
      const expected = c.nextDueAt === undefined ? { due: c.due } : { due: c.due, nextDueAt: c.nextDueAt };
      expect(driftChecksDue(hosts, c.now, c.intervalMs)).toEqual(expected);
    });
  }
});
