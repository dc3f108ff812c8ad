/**
 * GET /live: server-sent events for the status page (`event: change`, data `{"host":"web1"}` or
 * `{"fleet":true}`), optionally only those about one host (`?host=NAME`) and fleet-wide ones. The
 * events carry no state: the page fetches itself again (page/live.ts), through the same checks as any
 * page view. Changes are coalesced (one event per COALESCE_MS at most), a comment keeps proxies from
 * closing an idle stream, and streams are bounded (MAX_STREAMS) and ended when the server closes.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { DroverError } from '../../../manifests/errors.js';
import type { ControllerApi } from '../api.js';
import type { FleetChange } from '../changes.js';
import type { Auth } from './auth.js';
import { LIVE_RETRY_SECONDS } from './page/live.js';
import { HOST_NAME } from './schemas.js';

/**
 * Streams open at once (each a browser tab); past it a new one is refused (503 E_TOO_MANY_STREAMS with
 * Retry-After) and the page refreshes itself instead until a stream is free (page/live.ts).
 */
export const MAX_STREAMS = 200;
const COALESCE_MS = 200;
const HEARTBEAT_MS = 20_000;

/** Registers GET /live. */
export function registerLiveRoute(app: FastifyInstance, options: { api: Pick<ControllerApi, 'watch'>; auth: Auth }): void {
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const stream of open) stream.end();
  });
  app.get<{ Querystring: { host?: string } }>('/live', {
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { host: HOST_NAME } } },
  }, async (request, reply) => {
    if (!options.auth.pageAllowed(request)) throw new DroverError('E_UNAUTHENTICATED', 'log in first (the status page needs the API token)');
    if (open.size >= MAX_STREAMS) {
      void reply.header('retry-after', String(LIVE_RETRY_SECONDS));
      throw new DroverError('E_TOO_MANY_STREAMS', `${MAX_STREAMS} live streams are open (one per status page tab); the page refreshes itself instead and asks again in ${LIVE_RETRY_SECONDS} s (Retry-After)`);
    }
    const only = request.query.host;
    reply.hijack();
    const stream = reply.raw;
    stream.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', 'x-content-type-options': 'nosniff' });
    stream.write('retry: 2000\n\n');
    open.add(stream);
    let pending: FleetChange | undefined;
    let timer: NodeJS.Timeout | undefined;
    const flush = (): void => {
      timer = undefined;
      if (pending) stream.write(`event: change\ndata: ${JSON.stringify(pending)}\n\n`);
      pending = undefined;
    };
    const unsubscribe = options.api.watch((change) => {
      if (only !== undefined && 'host' in change && change.host !== only) return;
      // Two different hosts in one window: say the fleet changed.
      pending = pending === undefined || JSON.stringify(pending) === JSON.stringify(change) ? change : { fleet: true };
      timer ??= setTimeout(flush, COALESCE_MS);
    });
    const beat = setInterval(() => stream.write(': ping\n\n'), HEARTBEAT_MS);
    stream.on('close', () => {
      open.delete(stream);
      unsubscribe();
      clearInterval(beat);
      if (timer) clearTimeout(timer);
    });
  });
}
