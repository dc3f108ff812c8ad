/** Token checks, cookies and where the API may listen (pure). */
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../../controller/config/secret.js';
import { constantTimeEqual, cookieValue, createAuth } from '../../../../controller/daemon/http/auth.js';
import { checkListenAllowed, isLoopback, parseListenAddress } from '../../../../controller/daemon/http/listen.js';
import type { FastifyRequest } from 'fastify';

const req = (headers: Record<string, string>): FastifyRequest => ({ headers }) as unknown as FastifyRequest;

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
    const check = (): void => auth.requireBearer(req({ authorization: header }));
    if (ok) expect(check).not.toThrow();
    else expect(check).toThrow(expect.objectContaining({ code: 'E_UNAUTHENTICATED' }));
  });
  it('accepts the session cookie on pages, never the raw token as cookie', () => {
    expect(auth.pageAllowed(req({ cookie: `a=b; drover_session=${auth.sessionValue()}` }))).toBe(true);
    expect(auth.pageAllowed(req({ cookie: 'drover_session=tok' }))).toBe(false);
    expect(auth.pageAllowed(req({}))).toBe(false);
    expect(auth.sessionValue()).not.toContain('tok');
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
