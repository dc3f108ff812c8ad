/** What a receiver's answer means for a delivery: delivered, retried (with Retry-After), or refused for good. */
import { describe, expect, it } from 'vitest';
import { classifyAnswer, parseRetryAfter, retryDelay } from '../../../../controller/daemon/report/delivery.js';
import { seededRandom } from '../../../support/manual-clock.js';

const NOW = Date.UTC(2026, 0, 1);

describe('classifyAnswer', () => {
  it.each([
    [200, 'delivered'], [201, 'delivered'], [204, 'delivered'],
    [500, 'retry'], [502, 'retry'], [503, 'retry'], [408, 'retry'], [425, 'retry'], [429, 'retry'], [401, 'retry'], [403, 'retry'],
    [400, 'refused'], [404, 'refused'], [410, 'refused'], [422, 'refused'], [301, 'refused'],
  ] as const)('HTTP %i: %s', (status, outcome) => {
    expect(classifyAnswer(status, null, '', NOW).outcome).toBe(outcome);
  });

  it('keeps the start of the answer in the reason, on one line', () => {
    expect(classifyAnswer(422, null, '{"message":\n "No commit found for SHA"}', NOW)).toEqual({ outcome: 'refused', reason: 'HTTP 422: {"message": "No commit found for SHA"}' });
  });

  it('honours Retry-After in seconds or as a date, capped at an hour', () => {
    expect(classifyAnswer(429, '30', '', NOW)).toMatchObject({ outcome: 'retry', retryAfterMs: 30_000 });
    expect(parseRetryAfter(new Date(NOW + 90_000).toUTCString(), NOW)).toBe(90_000);
    expect(parseRetryAfter('999999', NOW)).toBe(3_600_000);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });
});

describe('retryDelay', () => {
  it('backs off from about a second, doubling, to at most 5 minutes; Retry-After wins', () => {
    const random = seededRandom(7);
    const delays = Array.from({ length: 12 }, (_, i) => retryDelay(i + 1, undefined, random));
    expect(delays[0]).toBeLessThanOrEqual(1000);
    for (const d of delays) expect(d).toBeLessThanOrEqual(300_000);
    expect(delays[11]).toBeGreaterThanOrEqual(150_000);
    expect(retryDelay(3, 42_000, random)).toBe(42_000);
  });
});
