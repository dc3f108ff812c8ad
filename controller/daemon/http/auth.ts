/**
 * Who may use the API: the bearer token (`Authorization: Bearer <token>`) for /api/v1, and for the
 * status page the same token or a session the login form opens. Every token comparison is constant-time
 * over SHA-256 digests (equal lengths, so the length of the token leaks nothing). Sessions are random ids
 * kept in memory: each login gets its own, logout ends it, and it expires (a restart ends them all).
 * Wrong tokens are counted per client address: past `failuresPerMinute` the address is refused (429)
 * for the rest of the minute, whatever it sends. With no token configured everything is open: the
 * listener is then loopback-only (listen.ts).
 */
import { DroverError } from '../../../manifests/errors.js';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Secret } from '../../config/secret.js';

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
  /** True when `token` is the API token (counted against the client's failures when it is not). */
  tokenMatches(token: string, request?: FastifyRequest): boolean;
  /** Opens a session for a browser that gave the token: its random id, for the cookie. */
  openSession(): string;
  /** Ends the request's session, if it has one. */
  closeSession(request: FastifyRequest): void;
  /** Throws E_RATE_LIMITED (429) while the client is refused, E_UNAUTHENTICATED (401) unless the request carries the bearer token. */
  requireBearer(request: FastifyRequest): void;
  /** True when the request carries the bearer token or a live session cookie (page routes). */
  pageAllowed(request: FastifyRequest): boolean;
}

/** Builds the check for `token` (undefined: no token configured). */
export function createAuth(token: Secret | undefined, options: { now?: () => number; failuresPerMinute?: number } = {}): Auth {
  const now = options.now ?? Date.now;
  const sessions = new Map<string, number>();
  const failures = new Map<string, { count: number; resetAt: number }>();
  const limit = options.failuresPerMinute ?? 10;
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
  const tokenMatches = (candidate: string, request?: FastifyRequest): boolean => {
    const ok = token !== undefined && constantTimeEqual(candidate, token.reveal());
    if (!ok) countFailure(request);
    return ok;
  };
  const sessionOf = (request: FastifyRequest): string | undefined => {
    const id = cookieValue(request.headers.cookie, SESSION_COOKIE);
    const expires = id === undefined ? undefined : sessions.get(id);
    if (id === undefined || expires === undefined) return undefined;
    if (expires > now()) return id;
    sessions.delete(id);
    return undefined;
  };
  return {
    required: token !== undefined,
    tokenMatches,
    openSession() {
      const id = randomBytes(32).toString('base64url');
      sessions.set(id, now() + SESSION_SECONDS * 1000);
      if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
      return id;
    },
    closeSession(request) {
      const id = cookieValue(request.headers.cookie, SESSION_COOKIE);
      if (id !== undefined) sessions.delete(id);
    },
    requireBearer(request) {
      if (!token) return;
      if (refused(request)) throw new DroverError('E_RATE_LIMITED', `too many wrong tokens from ${request.ip}: at most ${limit} a minute; retry in a minute`);
      const given = bearerOf(request);
      if (given === undefined) throw new DroverError('E_UNAUTHENTICATED', 'this endpoint needs the API token: send Authorization: Bearer <token>');
      if (!tokenMatches(given, request)) throw new DroverError('E_UNAUTHENTICATED', 'the bearer token is not the API token');
    },
    pageAllowed(request) {
      if (!token) return true;
      const given = bearerOf(request);
      if (given !== undefined) return !refused(request) && tokenMatches(given, request);
      return sessionOf(request) !== undefined;
    },
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
