/** /readyz decisions and error answers (pure). */
import { describe, expect, it } from 'vitest';
import { DroverError } from '../../../../manifests/errors.js';
import type { ControllerStatus } from '../../../../controller/daemon/api.js';
import { errorAnswer } from '../../../../controller/daemon/http/errors.js';
import { readiness } from '../../../../controller/daemon/http/health.js';
import { HostOtherShardError } from '../../../../controller/daemon/revisions/shard.js';

const STARTED = 1_000;
type Seen = Pick<ControllerStatus, 'source' | 'ready' | 'state'>;
const writable: ControllerStatus['state'] = { writable: true, writeFailures: 0 };
const status = (source: Partial<ControllerStatus['source']>, ready = false, state = writable): Seen =>
  ({ ready, source: { consecutiveFetchFailures: 0, ...source }, state });
const api = (s: Seen) => ({ status: () => s as ControllerStatus });

describe('readiness', () => {
  it.each([
    ['nothing fetched yet', status({}), false, /^waiting for the first fetch/],
    ['a good revision left by an earlier process', status({ lastGoodRevision: 'main@sha1:a', lastFetchSuccessAt: 10 }), false, /^waiting for the first fetch/],
    ['fetched, not yet judged', status({ newestRevision: 'main@sha1:b', lastFetchSuccessAt: 2_000 }), false, /being validated/],
    ['the first fetch failed', status({ lastFetchError: { code: 'E_SOURCE_FETCH', message: 'no route', at: 2_000 } }), false, /^the first fetch failed: E_SOURCE_FETCH: no route$/],
    ['a revision loaded', status({ lastGoodRevision: 'main@sha1:c' }, true), true, /^revision main@sha1:c loaded$/],
    ['the first revision rejected', status({ rejected: { revision: 'main@sha1:d', problems: ['x'], at: 2_000 } }), true, /was rejected \(1 problem/],
    ['the state refuses writes (a full disk), with a revision loaded',
      status({ lastGoodRevision: 'main@sha1:c' }, true, { writable: false, writeFailures: 3, failing: { since: 5, message: 'cannot write /s/hosts/web1.json: ENOSPC' } }),
      false, /^the state cannot be written \(cannot write \/s\/hosts\/web1.json: ENOSPC\); runs are retried/],
    ['a rejection from an earlier process', status({ rejected: { revision: 'main@sha1:d', problems: [], at: 10 } }), false, /^waiting/],
  ])('%s', (_name, s, ready, reason) => {
    const r = readiness(api(s), STARTED);
    expect(r.ready).toBe(ready);
    expect(r.reason).toMatch(reason);
  });
});

describe('errorAnswer', () => {
  it.each([
    [new DroverError('E_HOST_SUSPENDED', 'x'), 409, 'E_HOST_SUSPENDED'],
    [new DroverError('E_STATE_WRITE', 'secret internals'), 500, 'E_INTERNAL'],
    [new DroverError('E_HOST_UNKNOWN', 'unknown host "a"'), 404, 'E_HOST_UNKNOWN'],
    [new DroverError('E_UNAUTHENTICATED', 'x'), 401, 'E_UNAUTHENTICATED'],
    [new DroverError('E_SUSPENDED_BY_CONFIG', 'x'), 409, 'E_SUSPENDED_BY_CONFIG'],
    [new DroverError('E_NOT_READY', 'x'), 503, 'E_NOT_READY'],
    [new DroverError('E_ROLLOUT_NOT_HALTED', 'x'), 409, 'E_ROLLOUT_NOT_HALTED'],
    [new HostOtherShardError('c', { index: 1, count: 3 }, { index: 0, count: 3 }), 421, 'E_HOST_OTHER_SHARD'],
    [Object.assign(new Error('too big'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }), 413, 'E_BODY_TOO_LARGE'],
    [Object.assign(new Error('rate'), { statusCode: 429 }), 429, 'E_RATE_LIMITED'],
    [new Error('secret internals'), 500, 'E_INTERNAL'],
  ])('%s', (err, status, code) => {
    const answer = errorAnswer(err);
    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(code);
    expect(answer.body.error.message).not.toContain('secret internals');
  });
  it('names the owning shard of a host another replica reconciles', () => {
    const answer = errorAnswer(new HostOtherShardError('c', { index: 1, count: 3 }, { index: 0, count: 3 }));
    expect(answer.body.error).toMatchObject({ shard: { index: 1, count: 3 }, message: expect.stringMatching(/^c belongs to shard 1\/3, not to this replica \(shard 0\/3\)/) });
  });
});
