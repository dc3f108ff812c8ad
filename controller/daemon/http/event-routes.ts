/**
 * GET /api/v1/events: pages of the event log (docs/report.md). Oldest first from `since` (a cursor: the
 * `next` of the page before, 0 or absent for the oldest kept), or newest first below `before`
 * (`order=desc`); `host` and `type` (exact or `prefix*`, comma-separated) filter; `limit` 1..1000
 * (default 100). Registered in the /api/v1 scope: a read token is enough.
 */
import type { FastifyInstance } from 'fastify';
import { DroverError } from '../../../manifests/errors.js';
import type { ControllerApi } from '../api.js';
import { MAX_LIMIT, type EventQuery } from '../report/event-query.js';
import { EVENT_TYPES } from '../report/events.js';
import { HOST_NAME } from './schemas.js';

/** The query string GET /api/v1/events takes (strings: fastify's ajv does not coerce). */
export const EVENTS_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    since: { type: 'string', pattern: '^[0-9]{1,15}$' },
    before: { type: 'string', pattern: '^[0-9]{1,15}$' },
    order: { type: 'string', enum: ['asc', 'desc'] },
    host: HOST_NAME,
    type: { type: 'string', pattern: '^[A-Za-z.*]+(,[A-Za-z.*]+)*$', maxLength: 500 },
    limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
  },
} as const;

type EventsQueryString = Partial<Record<'since' | 'before' | 'order' | 'host' | 'type' | 'limit', string>>;

/** Registers GET /api/v1/events (inside the /api/v1 scope, after its auth hook). */
export function registerEventRoutes(app: FastifyInstance, options: { api: Pick<ControllerApi, 'events'> }): void {
  app.get<{ Querystring: EventsQueryString }>('/api/v1/events', { schema: { querystring: EVENTS_QUERY } }, async (request) => options.api.events(eventQuery(request.query)));
}

/** The query string as an EventQuery; E_INVALID_REQUEST naming what is wrong. */
export function eventQuery(q: EventsQueryString): EventQuery {
  const order = q.order === 'desc' || (q.order === undefined && q.before !== undefined) ? 'desc' : 'asc';
  if (order === 'asc' && q.before !== undefined) throw invalid('querystring.before: goes with order=desc (newest first); use since to page oldest first');
  if (order === 'desc' && q.since !== undefined) throw invalid('querystring.since: goes with order=asc (oldest first); use before to page newest first');
  const limit = q.limit === undefined ? 100 : Number(q.limit);
  if (limit < 1 || limit > MAX_LIMIT) throw invalid(`querystring.limit: must be 1..${MAX_LIMIT}`);
  const types = q.type?.split(',');
  for (const t of types ?? []) {
    const known = t.endsWith('*') ? EVENT_TYPES.some((e) => e.startsWith(t.slice(0, -1))) : (EVENT_TYPES as readonly string[]).includes(t);
    if (!known) throw invalid(`querystring.type: no event type ${JSON.stringify(t)} (types: ${EVENT_TYPES.join(', ')}; a prefix ends in *, e.g. host.*)`);
  }
  return {
    order, limit,
    ...(q.since === undefined ? {} : { since: Number(q.since) }), ...(q.before === undefined ? {} : { before: Number(q.before) }),
    ...(q.host === undefined ? {} : { host: q.host }), ...(types ? { types } : {}),
  };
}

function invalid(message: string): DroverError {
  return new DroverError('E_INVALID_REQUEST', message);
}
