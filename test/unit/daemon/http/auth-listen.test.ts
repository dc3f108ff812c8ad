/** Token checks, cookies and where the API may listen (pure). */
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../../controller/config/secret.js';
import { constantTimeEqual, cookieValue, createAuth, SESSION_SECONDS } from '../../../../controller/daemon/http/auth.js';
import { checkListenAllowed, isLoopback, parseListenAddress } from '../../../../controller/daemon/http/listen.js';
import type { FastifyRequest } from 'fastify';

const req = (headers: Record<string, string>, ip = '127.0.0.1'): FastifyRequest => ({ headers, ip }) as unknown as FastifyRequest;

describe('constantTimeEqual', () => {
  it.each([['a', 'a', true], ['a', 'b', false], ['', '', true], ['token', 'token ', false], ['long'.repeat(100), 'long', false]])('%s vs %s', (a, b, eq) => {
    expect(constantTimeEqual(a, b)).toBe(eq);
  });
});

describe('createAuth', () => {
  const auth = createAuth(new Secret('tok'));
  it.each([
    ['Bearer tok', true], ['bearer tok', true], ['Bearer  tok', true], ['Bearer tok2', false], ['Bearer', false], ['Basic dG9r', false], ['tok', false],
  ])('Authorization: %s', (header, ok) => {
    const check = (): unknown => auth.requireBearer(req({ authorization: header }));
    if (ok) expect(check).not.toThrow();
    else expect(check).toThrow(expect.objectContaining({ code: 'E_UNAUTHENTICATED' }));
  });
  it('accepts a live session on pages: random per login, ended by logout, expired after its time; never the raw token as cookie', () => {
    let now = 1_000_000;
    const sessions = createAuth(new Secret('tok'), { now: () => now });
    const first = sessions.openSession();
    const second = sessions.openSession();
    expect(first).not.toBe(second);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessions.pageAllowed(req({ cookie: `a=b; drover_session=${first}` }))).toBe(true);
    expect(sessions.pageAllowed(req({ cookie: 'drover_session=tok' }))).toBe(false);
    expect(sessions.pageAllowed(req({}))).toBe(false);
    sessions.closeSession(req({ cookie: `drover_session=${first}` }));
    expect(sessions.pageAllowed(req({ cookie: `drover_session=${first}` }))).toBe(false);
    expect(sessions.pageAllowed(req({ cookie: `drover_session=${second}` }))).toBe(true);
    now += SESSION_SECONDS * 1000;
    expect(sessions.pageAllowed(req({ cookie: `drover_session=${second}` }))).toBe(false);
  });
  it('refuses an address that sent too many wrong tokens, even with the right one, until the minute is over', () => {
    let now = 0;
    const limited = createAuth(new Secret('tok'), { now: () => now, failuresPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect(() => limited.requireBearer(req({ authorization: 'Bearer nope' }))).toThrow(expect.objectContaining({ code: 'E_UNAUTHENTICATED' }));
    expect(() => limited.requireBearer(req({ authorization: 'Bearer tok' }))).toThrow(expect.objectContaining({ code: 'E_RATE_LIMITED' }));
    expect(() => limited.requireBearer(req({ authorization: 'Bearer tok' }, '10.0.0.9'))).not.toThrow();
    now += 60_000;
    expect(() => limited.requireBearer(req({ authorization: 'Bearer tok' }))).not.toThrow();
  });
  it('allows everything when no token is configured', () => {
    const open = createAuth(undefined);
    expect(open.required).toBe(false);
    expect(() => open.requireBearer(req({}))).not.toThrow();
    expect(open.tokenMatches('')).toBe(false);
  });
});

describe('cookieValue', () => {
  it.each([['x=1; drover_session=abc', 'abc'], ['drover_session=', ''], ['other=1', undefined], [undefined, undefined]])('%s', (header, value) => {
    expect(cookieValue(header, 'drover_session')).toBe(value);
  });
});

describe('listen addresses', () => {
  it.each([
    ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }], [':9000', { host: '0.0.0.0', port: 9000 }], ['[::1]:0', { host: '::1', port: 0 }],
  ])('parses %s', (listen, expected) => expect(parseListenAddress(listen)).toEqual(expected));
  it.each(['8080', 'host:99999', '[::1]'])('refuses %s', (listen) => {
    expect(() => parseListenAddress(listen)).toThrow(expect.objectContaining({ code: 'E_CONFIG_INVALID' }));
  });
  it.each([['127.0.0.1', true], ['127.1.2.3', true], ['::1', true], ['localhost', true], ['0.0.0.0', false], ['10.0.0.1', false], ['::', false], ['1270.0.0.1', false]])('loopback %s: %s', (host, yes) => {
    expect(isLoopback(host)).toBe(yes);
  });
  it('refuses a non-loopback listen without a token, saying how to fix it', () => {
    expect(() => checkListenAllowed('0.0.0.0:8080', false)).toThrow(/not a loopback address and no API token is configured: set apiTokenFile or apiTokenEnv/);
    expect(checkListenAllowed('0.0.0.0:8080', true)).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(checkListenAllowed('127.0.0.1:0', false)).toEqual({ host: '127.0.0.1', port: 0 });
  });
});
