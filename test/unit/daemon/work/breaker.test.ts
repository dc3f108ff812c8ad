import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLOSED, HostBreakers, recordRun, requestRun, trialAt, type BreakerOptions, type BreakerState } from '../../../../controller/daemon/work/breaker.js';
import { ManualClock } from '../../../support/manual-clock.js';

interface BreakerEvent {
  at: number;
  event: 'request' | 'reachable' | 'unreachable';
  allowed?: boolean;
  phase?: BreakerState['phase'];
  failures?: number;
  trialAt?: number;
}

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../../../fixtures/daemon/breaker.json'), 'utf8')) as {
  options: BreakerOptions;
  cases: { name: string; events: BreakerEvent[] }[];
};

describe('circuit breaker transitions', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      let state: BreakerState = CLOSED;
      for (const e of c.events) {
        const where = `${e.event} at ${e.at}`;
        if (e.event === 'request') {
          const answer = requestRun(state, e.at, fixture.options);
          expect(answer.allowed, where).toBe(e.allowed);
          state = answer.state;
        } else {
          state = recordRun(state, e.event === 'reachable', e.at, fixture.options);
        }
        if (e.phase !== undefined) expect(state.phase, where).toBe(e.phase);
        if (e.failures !== undefined) expect(state.failures, where).toBe(e.failures);
        if (e.trialAt !== undefined) expect(trialAt(state, fixture.options), where).toBe(e.trialAt);
      }
    });
  }
});

describe('HostBreakers', () => {
  it('keeps one breaker per host on the clock', () => {
    const clock = new ManualClock(0);
    const breakers = new HostBreakers(clock, { threshold: 2, cooldownMs: 5000 });
    breakers.record('a', false);
    breakers.record('a', false);
    breakers.record('b', false);
    expect(breakers.state('a').phase).toBe('open');
    expect(breakers.state('b')).toEqual({ phase: 'closed', failures: 1 });
    expect(breakers.tryStart('a')).toBe(false);
    expect(breakers.tryStart('b')).toBe(true);
    expect(breakers.trialAt('a')).toBe(5000);
    clock.advance(5000);
    expect(breakers.tryStart('a')).toBe(true);
    expect(breakers.tryStart('a')).toBe(false);
    breakers.record('a', true);
    expect(breakers.state('a')).toEqual(CLOSED);
    breakers.remove('b');
    expect(breakers.state('b')).toEqual(CLOSED);
  });
});
