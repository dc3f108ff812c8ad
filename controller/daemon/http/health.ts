/**
 * GET /healthz (the process answers) and GET /readyz: 200 once the state is loaded (the API exists)
 * and this process has fetched and judged a first revision (accepted, or rejected with its
 * problems); 503 with the reason before that, and while the state dir refuses writes (a full or read-only
 * disk: runs are retried, nothing is lost, but nothing is recorded either). No token needed: they show no configuration.
 */
import type { FastifyInstance } from 'fastify';
import type { ControllerApi } from '../api.js';

/** Readiness and why. */
export interface Readiness {
  ready: boolean;
  reason: string;
  revision?: string;
}

/** Readiness of the controller, judged since `startedAt` (epoch ms). */
export function readiness(api: Pick<ControllerApi, 'status'>, startedAt: number): Readiness {
  const status = api.status();
  const s = status.source;
  if (status.state.failing) return { ready: false, reason: `the state cannot be written (${status.state.failing.message}); runs are retried with backoff until it can` };
  if (status.ready && s.lastGoodRevision) return { ready: true, reason: `revision ${s.lastGoodRevision} loaded`, revision: s.lastGoodRevision };
  if (s.rejected && s.rejected.at >= startedAt) {
    return { ready: true, reason: `revision ${s.rejected.revision} was rejected (${s.rejected.problems.length} problem(s)); no good revision yet`, revision: s.rejected.revision };
  }
  if (s.lastFetchError && s.lastFetchError.at >= startedAt) {
    return { ready: false, reason: `the first fetch failed: ${s.lastFetchError.code}: ${s.lastFetchError.message}` };
  }
  if (s.newestRevision && s.lastFetchSuccessAt !== undefined && s.lastFetchSuccessAt >= startedAt) {
    return { ready: false, reason: `revision ${s.newestRevision} fetched, being validated and loaded` };
  }
  return { ready: false, reason: 'waiting for the first fetch of the source' };
}

/** Registers /healthz and /readyz. */
export function registerHealth(app: FastifyInstance, api: Pick<ControllerApi, 'status'>, startedAt: number): void {
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    const r = readiness(api, startedAt);
    return reply.code(r.ready ? 200 : 503).header('cache-control', 'no-store').send(r);
  });
}
