/**
 * Who may use the API: the bearer token (`Authorization: Bearer <token>`) for /api/v1, and for the
 * status page the same token or the session cookie the login form sets. Every comparison is
 * constant-time over SHA-256 digests (equal lengths, so the length of the token leaks nothing).
 * With no token configured everything is open: the listener is then loopback-only (listen.ts).
 */
import { DroverError } from '../../../manifests/errors.js';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Secret } from '../../config/secret.js';

/** Name of the status page's session cookie. */
export const SESSION_COOKIE = 'drover_session';

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
  /** True when `token` is the API token. */
  tokenMatches(token: string): boolean;
  /** The session cookie value for a logged-in browser (derived from the token, never the token itself). */
  sessionValue(): string;
  /** Throws E_UNAUTHENTICATED (401) unless the request carries the bearer token. */
  requireBearer(request: FastifyRequest): void;
  /** True when the request carries the bearer token or a valid session cookie (page routes). */
  pageAllowed(request: FastifyRequest): boolean;
}

/** Builds the check for `token` (undefined: no token configured). */
export function createAuth(token: Secret | undefined): Auth {
  const session = token ? createHmac('sha256', token.reveal()).update('drover status page session v1').digest('hex') : '';
  const tokenMatches = (candidate: string): boolean => token !== undefined && constantTimeEqual(candidate, token.reveal());
  const bearerOf = (request: FastifyRequest): string | undefined => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer +(\S+) *$/i.exec(header) : null;
    return match?.[1];
  };
  return {
    required: token !== undefined,
    tokenMatches,
    sessionValue: () => session,
    requireBearer(request) {
      if (!token) return;
      const given = bearerOf(request);
      if (given === undefined) throw new DroverError('E_UNAUTHENTICATED', 'this endpoint needs the API token: send Authorization: Bearer <token>');
      if (!tokenMatches(given)) throw new DroverError('E_UNAUTHENTICATED', 'the bearer token is not the API token');
    },
    pageAllowed(request) {
      if (!token) return true;
      const given = bearerOf(request);
      if (given !== undefined) return tokenMatches(given);
      const cookie = cookieValue(request.headers.cookie, SESSION_COOKIE);
      return cookie !== undefined && constantTimeEqual(cookie, session);
    },
  };
}

/** The value of cookie `name` in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
