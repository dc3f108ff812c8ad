/** Roles (pure): who may do what, what a route needs, and the 403 that names the token and the role needed. */
import { describe, expect, it } from 'vitest';
import { allows, requireRole, routeRole } from '../../../../controller/daemon/http/roles.js';
import { eventQuery } from '../../../../controller/daemon/http/event-routes.js';

const req = (method: string, url: string, role?: 'read' | 'sync' | 'admin') => ({ method, url, routeOptions: { config: role ? { role } : {} } }) as never;

describe('roles', () => {
  it.each([
    ['read', 'read', true], ['read', 'sync', false], ['read', 'admin', false],
    ['sync', 'read', true], ['sync', 'sync', true], ['sync', 'admin', false],
    ['admin', 'read', true], ['admin', 'sync', true], ['admin', 'admin', true],
  ] as const)('%s may do what %s allows: %s', (role, needed, ok) => {
    expect(allows(role, needed)).toBe(ok);
  });

  it('a route without a declared role: GET needs read, anything else admin (closed by default)', () => {
    expect(routeRole(req('GET', '/x'))).toBe('read');
    expect(routeRole(req('HEAD', '/x'))).toBe('read');
    expect(routeRole(req('POST', '/x'))).toBe('admin');
    expect(routeRole(req('DELETE', '/x'))).toBe('admin');
    expect(routeRole(req('POST', '/api/v1/sync', 'sync'))).toBe('sync');
  });

  it('refuses with E_FORBIDDEN naming the token, its role and the role needed (no query string)', () => {
    expect(() => requireRole({ name: 'dashboard', role: 'read' }, req('POST', '/api/v1/sync?x=secret', 'sync')))
      .toThrow(expect.objectContaining({ code: 'E_FORBIDDEN', message: 'token "dashboard" has role read; POST /api/v1/sync needs sync or admin' }));
    expect(() => requireRole({ name: 'ci', role: 'sync' }, req('POST', '/api/v1/hosts/web1/suspend'))).toThrow(/needs admin$/);
    expect(() => requireRole({ name: 'ci', role: 'sync' }, req('POST', '/api/v1/sync', 'sync'))).not.toThrow();
  });
});

describe('GET /api/v1/events query', () => {
  it('defaults: oldest first, 100', () => {
    expect(eventQuery({})).toEqual({ order: 'asc', limit: 100 });
    expect(eventQuery({ since: '42', host: 'web1', type: 'host.*,run.finished', limit: '7' })).toEqual({ order: 'asc', since: 42, host: 'web1', types: ['host.*', 'run.finished'], limit: 7 });
    expect(eventQuery({ before: '9' })).toEqual({ order: 'desc', before: 9, limit: 100 });
  });

  it.each([
    [{ type: 'host.exploded' }, /querystring\.type: no event type "host\.exploded"/],
    [{ type: 'nothing*' }, /querystring\.type/],
    [{ limit: '0' }, /querystring\.limit: must be 1\.\.1000/],
    [{ limit: '5000' }, /querystring\.limit/],
    [{ order: 'asc', before: '3' }, /querystring\.before: goes with order=desc/],
    [{ order: 'desc', since: '3' }, /querystring\.since: goes with order=asc/],
  ] as const)('refuses %j', (q, message) => {
    expect(() => eventQuery(q)).toThrow(expect.objectContaining({ code: 'E_INVALID_REQUEST', message: expect.stringMatching(message) }));
  });
});
