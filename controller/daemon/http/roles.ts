/**
 * What each API role may do (pure). read: every GET (status, hosts, runs, events, the status page);
 * sync: also syncs and previews; admin: everything (suspend, resume, rollout resume). A route says the
 * role it needs in its fastify config (`config: { role: 'sync' }`); without one a GET needs `read` and
 * anything else `admin`, so a new command route is closed to lesser tokens until it says otherwise.
 */
import type { FastifyRequest } from 'fastify';
import { DroverError } from '../../../manifests/errors.js';
import type { ApiRole } from '../../config/types.js';

export type { ApiRole } from '../../config/types.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The role a route needs (roles.ts); default read for GET, admin otherwise. */
    role?: ApiRole;
  }
}

/** Who is asking: the token's name (never its value) and its role. */
export interface Principal {
  name: string;
  role: ApiRole;
}

/** The principal when no token is configured (loopback-only listener: everything is open). */
export const ANONYMOUS: Principal = { name: 'anonymous', role: 'admin' };

const RANK: Readonly<Record<ApiRole, number>> = { read: 0, sync: 1, admin: 2 };

/** True when `role` may do what `needed` allows. */
export function allows(role: ApiRole, needed: ApiRole): boolean {
  return RANK[role] >= RANK[needed];
}

/** The role a request needs: its route's `config.role`, else read for GET/HEAD and admin for the rest. */
export function routeRole(request: Pick<FastifyRequest, 'method' | 'routeOptions'>): ApiRole {
  const declared = request.routeOptions.config?.role;
  if (declared !== undefined) return declared;
  return request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'admin';
}

/** Throws E_FORBIDDEN (403) unless `who` may make `request`. */
export function requireRole(who: Principal, request: Pick<FastifyRequest, 'method' | 'routeOptions' | 'url'>): void {
  const needed = routeRole(request);
  if (allows(who.role, needed)) return;
  const path = request.url.split('?')[0]!.slice(0, 200);
  throw new DroverError('E_FORBIDDEN', `token "${who.name}" has role ${who.role}; ${request.method} ${path} needs ${needed === 'admin' ? 'admin' : `${needed} or admin`}`);
}
