/**
 * /api/v1: status, hosts, one host, sync (202 {runId}), run progress, suspend and resume, and
 * resuming a halted rollout. Every
 * route needs a bearer token whose role allows it (roles.ts: checked before the body is read); answers
 * are JSON built from the controller's read/command interface only. Commands carry the token's name.
 */
import type { FastifyInstance } from 'fastify';
import { DroverError, scrubSecrets } from '../../../manifests/errors.js';
import type { SourceSettings } from '../../config/types.js';
import type { ControllerApi } from '../api.js';
import { hostCommand, resumeRolloutCommand, syncCommand, unknownHosts } from './commands.js';
import type { Auth } from './auth.js';
import { requireRole } from './roles.js';
import { HOST_PARAMS, ROLLOUT_RESUME_BODY, RUN_PARAMS, SYNC_BODY } from './schemas.js';

/** What the API routes need. */
export interface ApiRouteOptions {
  api: ControllerApi;
  auth: Auth;
  source: Pick<SourceSettings, 'url' | 'ref' | 'path'>;
  bodyLimit: number;
  onSync?: () => void;
}

/** Registers /api/v1 (call inside `app.register` so the auth hook covers these routes only). */
export async function registerApiRoutes(app: FastifyInstance, options: ApiRouteOptions): Promise<void> {
  const { api, auth } = options;
  app.addHook('onRequest', async (request) => requireRole(auth.requireBearer(request), request));
  /** The name of the token that made a command (the event log keeps it). */
  const actor = (request: Parameters<Auth['principalOf']>[0]): { actor?: string } => {
    const name = auth.principalOf(request)?.name;
    return name === undefined ? {} : { actor: name };
  };
  // JSON only: fastify would otherwise hand a text/plain body to the schema as a string.
  app.removeContentTypeParser('text/plain');
  // Answers show configuration: no cache keeps them.
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
  });
  app.get('/api/v1/status', async () => statusView(api, options.source));
  app.get('/api/v1/hosts', async () => ({ hosts: api.hosts() }));
  app.get<{ Params: { name: string } }>('/api/v1/hosts/:name', { schema: { params: HOST_PARAMS } }, async (request) => {
    const host = api.host(request.params.name);
    if (!host) throw unknownHosts([request.params.name], api.hosts());
    return host;
  });
  app.post<{ Body: { hosts?: string[]; dryRun?: boolean; overrideWindow?: boolean; forceConflict?: boolean } }>('/api/v1/sync', { schema: { body: SYNC_BODY }, bodyLimit: options.bodyLimit, config: { role: 'sync' } }, async (request, reply) => {
    const { runId } = syncCommand(api, { ...request.body, ...actor(request) });
    options.onSync?.();
    return reply.code(202).header('location', `/api/v1/runs/${runId}`).send({ runId });
  });
  app.get<{ Params: { id: string } }>('/api/v1/runs/:id', { schema: { params: RUN_PARAMS } }, async (request) => {
    const run = api.run(request.params.id);
    if (!run) throw new DroverError('E_RUN_UNKNOWN', `no run ${request.params.id} (runs are kept in memory: the newest 200, until the controller restarts)`);
    return run;
  });
  for (const verb of ['suspend', 'resume'] as const) {
    app.post<{ Params: { name: string } }>(`/api/v1/hosts/:name/${verb}`, { schema: { params: HOST_PARAMS }, bodyLimit: options.bodyLimit }, async (request) =>
      ({ host: await hostCommand(api, verb, request.params.name, actor(request)) }));
  }
  // Rollouts are kept in the state directory, so a halted one can be resumed before a first fetch too.
  // No body at all means every lane, like `{}`.
  app.post<{ Body: { lane?: string } }>('/api/v1/rollout/resume', {
    schema: { body: ROLLOUT_RESUME_BODY }, bodyLimit: options.bodyLimit,
    preValidation: async (request) => {
      request.body ??= {};
    },
  }, async (request) => ({ rollouts: resumeRolloutCommand(api, { ...(request.body.lane === undefined ? {} : { lane: request.body.lane }), ...actor(request) }) }));
}

/** GET /api/v1/status: the source, revisions, validation, fetches, host counts, queue and rollouts. */
export function statusView(api: ControllerApi, source: ApiRouteOptions['source']) {
  const status = api.status();
  const s = status.source;
  const onRevision: Record<string, number> = {};
  for (const h of api.hosts()) {
    const revision = h.lastAppliedRevision ?? '(none)';
    onRevision[revision] = (onRevision[revision] ?? 0) + 1;
  }
  const rejectedNewest = s.rejected !== undefined && s.rejected.revision === s.newestRevision;
  return {
    ready: status.ready,
    source: { url: scrubSecrets(source.url), ref: source.ref, ...(source.path ? { path: source.path } : {}) },
    revisions: { newest: s.newestRevision ?? null, lastGood: s.lastGoodRevision ?? null, hostsOn: onRevision },
    validation: s.rejected
      ? { state: rejectedNewest ? 'rejected' : 'valid', rejected: s.rejected }
      : { state: s.lastGoodRevision ? 'valid' : 'unknown' },
    fetch: {
      lastAt: s.lastFetchAt ?? null, lastSuccessAt: s.lastFetchSuccessAt ?? null,
      lastError: s.lastFetchError ?? null, consecutiveFailures: s.consecutiveFetchFailures,
    },
    hosts: status.hosts,
    queue: status.queue,
    rollouts: status.rollouts,
  };
}
