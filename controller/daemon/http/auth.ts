/**
 * Who may use the API: a bearer token (`Authorization: Bearer <token>`) for /api/v1, and for the
 * status page the same token or a session the login form opens. Each token has a name and a role
 * (roles.ts): the token of apiTokenFile/apiTokenEnv is admin `apiToken`, apiTokens add more. Every
 * token comparison is constant-time over SHA-256 digests (equal lengths, so the length of the token
 * leaks nothing), and every configured token is compared, so the time says nothing of which one matched.
 * Sessions are random ids kept in memory with the principal that logged in: each login gets its own,
 * logout ends it, and it expires (a restart ends them all). The status page's forms carry a CSRF token
 * bound to the session (an HMAC under a key drawn at start), which its action route checks.
 * Wrong tokens are counted per client address: past `failuresPerMinute` the address is refused (429)
 * for the rest of the minute, whatever it sends. With no token configured everything is open: the
 * listener is then loopback-only (listen.ts).
 */
import { DroverError } from '../../../manifests/errors.js';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Secret } from '../../config/secret.js';
import type { ApiTokenSettings } from '../../config/types.js';
import { ANONYMOUS, type Principal } from './roles.js';

/** Name of the status page's session cookie. */
export const SESSION_COOKIE = 'drover_session';

/** How long a session lasts (the cookie's Max-Age too). */
export const SESSION_SECONDS = 12 * 3600;

/** Sessions kept at once; past it the oldest ends (a flood of logins cannot grow memory). */
const MAX_SESSIONS = 1000;

/** True when `a` and `b` are the same string; takes the same time whatever they hold. */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/** The token check of one listener. */
export interface Auth {
  /** False when no token is configured (everything allowed). */
  required: boolean;
  /** True when `token` is an API token (counted against the client's failures when it is not). */
  tokenMatches(token: string, request?: FastifyRequest): boolean;
  /** The principal whose token `token` is, or undefined (counted against the client's failures). */
  identify(token: string, request?: FastifyRequest): Principal | undefined;
  /** Opens a session for a browser that gave a token (default: the first admin's): its random id, for the cookie. */
  openSession(principal?: Principal): string;
  /** Ends the request's session, if it has one. */
  closeSession(request: FastifyRequest): void;
  /**
   * The principal of the request's bearer token (ANONYMOUS when no token is configured). Throws
   * E_RATE_LIMITED (429) while the client is refused, E_UNAUTHENTICATED (401) without a known token.
   */
  requireBearer(request: FastifyRequest): Principal;
  /** True when the request carries a bearer token or a live session cookie (page routes). */
  pageAllowed(request: FastifyRequest): boolean;
  /** The principal of the request's bearer token or session (page routes), or undefined. */
  pageViewer(request: FastifyRequest): Principal | undefined;
  /** The principal requireBearer or pageViewer found for `request` (for the event log), if any. */
  principalOf(request: FastifyRequest): Principal | undefined;
  /**
   * The CSRF token the status page's forms carry for this request's viewer: bound to its session (or, for a
   * bearer token or no token configured, to the principal), derived with a key this process drew at start.
   */
  csrfToken(request: FastifyRequest): string;
  /** True when `given` is csrfToken(request) (constant-time). */
  csrfValid(request: FastifyRequest, given: unknown): boolean;
}

/**
 * Builds the check for `token` (the admin token `apiToken`; undefined: none) and `options.tokens` (named,
 * with roles). With neither, everything is open (ANONYMOUS, admin).
 */
export function createAuth(token: Secret | undefined, options: { now?: () => number; failuresPerMinute?: number; tokens?: readonly ApiTokenSettings[] } = {}): Auth {
  const now = options.now ?? Date.now;
  const known: { principal: Principal; token: Secret }[] = [
    ...(token ? [{ principal: { name: 'apiToken', role: 'admin' as const }, token }] : []),
    ...(options.tokens ?? []).map((t) => ({ principal: { name: t.name, role: t.role }, token: t.token })),
  ];
  const required = known.length > 0;
  const sessions = new Map<string, { expires: number; principal: Principal }>();
  const seen = new WeakMap<FastifyRequest, Principal>();
  const failures = new Map<string, { count: number; resetAt: number }>();
  const limit = options.failuresPerMinute ?? 10;
  const csrfKey = randomBytes(32);
  const csrfToken = (request: FastifyRequest): string => {
    const session = cookieValue(request.headers.cookie, SESSION_COOKIE);
    const bound = session !== undefined && sessions.has(session) ? `session ${session}` : `principal ${pageViewer(request)?.name ?? ''}`;
    return createHmac('sha256', csrfKey).update(bound).digest('base64url');
  };
  const refused = (request: FastifyRequest | undefined): boolean => {
    const entry = request && failures.get(request.ip);
    if (!entry) return false;
    if (entry.resetAt <= now()) {
      failures.delete(request.ip);
      return false;
    }
    return entry.count >= limit;
  };
  const countFailure = (request: FastifyRequest | undefined): void => {
    if (!request) return;
    const entry = failures.get(request.ip);
    if (entry && entry.resetAt > now()) entry.count++;
    else failures.set(request.ip, { count: 1, resetAt: now() + 60_000 });
  };
  const identify = (candidate: string, request?: FastifyRequest): Principal | undefined => {
    // Every token is compared (no early exit): the time taken does not say which one matched.
    let found: Principal | undefined;
    for (const k of known) if (constantTimeEqual(candidate, k.token.reveal()) && !found) found = k.principal;
    if (!found) countFailure(request);
    return found;
  };
  const sessionOf = (request: FastifyRequest): Principal | undefined => {
    const id = cookieValue(request.headers.cookie, SESSION_COOKIE);
    const session = id === undefined ? undefined : sessions.get(id);
    if (id === undefined || session === undefined) return undefined;
    if (session.expires > now()) return session.principal;
    sessions.delete(id);
    return undefined;
  };
  const remember = (request: FastifyRequest, principal: Principal | undefined): Principal | undefined => {
    if (principal) seen.set(request, principal);
    return principal;
  };
  const pageViewer = (request: FastifyRequest): Principal | undefined => {
    if (!required) return remember(request, ANONYMOUS);
    const given = bearerOf(request);
    if (given !== undefined) return refused(request) ? undefined : remember(request, identify(given, request));
    return remember(request, sessionOf(request));
  };
  return {
    required,
    identify,
    tokenMatches: (candidate, request) => identify(candidate, request) !== undefined,
    openSession(principal) {
      const id = randomBytes(32).toString('base64url');
      const who = principal ?? known.find((k) => k.principal.role === 'admin')?.principal ?? known[0]?.principal ?? ANONYMOUS;
      sessions.set(id, { expires: now() + SESSION_SECONDS * 1000, principal: who });
      if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
      return id;
    },
    closeSession(request) {
      const id = cookieValue(request.headers.cookie, SESSION_COOKIE);
      if (id !== undefined) sessions.delete(id);
    },
    requireBearer(request) {
      if (!required) return remember(request, ANONYMOUS)!;
      if (refused(request)) throw new DroverError('E_RATE_LIMITED', `too many wrong tokens from ${request.ip}: at most ${limit} a minute; retry in a minute`);
      const given = bearerOf(request);
      if (given === undefined) throw new DroverError('E_UNAUTHENTICATED', 'this endpoint needs an API token: send Authorization: Bearer <token>');
      const principal = identify(given, request);
      if (!principal) throw new DroverError('E_UNAUTHENTICATED', 'the bearer token is not an API token');
      return remember(request, principal)!;
    },
    pageAllowed: (request) => pageViewer(request) !== undefined,
    pageViewer,
    principalOf: (request) => seen.get(request),
    csrfToken,
    csrfValid: (request, given) => typeof given === 'string' && given.length > 0 && constantTimeEqual(given, csrfToken(request)),
  };
}

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer +(\S+) *$/i.exec(header) : null;
  return match?.[1];
}

/** The value of cookie `name` in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
