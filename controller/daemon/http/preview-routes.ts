/**
 * /api/v1/previews: POST `{ref}` fetches the ref and answers 202 `{previewId, ...}` (Location:
 * /api/v1/previews/ID); GET /api/v1/previews/ID answers the preview as JSON, or with
 * `?format=markdown` as the pull-request comment. Access is checked in one place: requirePreviewAccess.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DroverError } from '../../../manifests/errors.js';
import { previewRefProblem } from '../../source/index.js';
import type { ControllerApi } from '../api.js';
import { previewMarkdown } from '../previews/report.js';
import type { Auth } from './auth.js';
import { requireRole } from './roles.js';
import { PREVIEW_BODY, PREVIEW_PARAMS, PREVIEW_QUERY } from './schemas.js';

/** What the preview routes need. */
export interface PreviewRouteOptions {
  api: Pick<ControllerApi, 'startPreview' | 'preview'>;
  auth: Auth;
  bodyLimit: number;
}

/**
 * Who may start and read previews: the one place these routes check access. Previews need a token of
 * role `sync` or `admin` (a preview fetches and reaches every host; its plans show configuration).
 * Throws E_UNAUTHENTICATED (401), E_RATE_LIMITED (429) or E_FORBIDDEN (403).
 */
export function requirePreviewAccess(auth: Auth, request: FastifyRequest): void {
  requireRole(auth.requireBearer(request), request);
}

/** Registers the preview routes (call inside `app.register`, so the access hook covers them only). */
export async function registerPreviewRoutes(app: FastifyInstance, options: PreviewRouteOptions): Promise<void> {
  const { api } = options;
  app.addHook('onRequest', async (request) => requirePreviewAccess(options.auth, request));
  app.removeContentTypeParser('text/plain');
  // Previews show configuration: no cache keeps them.
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('cache-control', 'no-store');
  });
  app.post<{ Body: { ref: string } }>('/api/v1/previews', { schema: { body: PREVIEW_BODY }, bodyLimit: options.bodyLimit, config: { role: 'sync' } }, async (request, reply) => {
    const problem = previewRefProblem(request.body.ref);
    if (problem) throw new DroverError('E_INVALID_REQUEST', `body.ref: ${problem}`);
    const preview = await api.startPreview({ ref: request.body.ref, trigger: 'api' });
    const { previewId, state, ref, revision, commit, base } = preview;
    return reply.code(202).header('location', `/api/v1/previews/${previewId}`).send({ previewId, state, ref, revision, commit, ...(base ? { base } : {}) });
  });
  app.get<{ Params: { id: string }; Querystring: { format?: 'json' | 'markdown' } }>('/api/v1/previews/:id', {
    schema: { params: PREVIEW_PARAMS, querystring: PREVIEW_QUERY }, config: { role: 'sync' },
  }, async (request, reply) => {
    const preview = api.preview(request.params.id);
    if (!preview) throw new DroverError('E_PREVIEW_UNKNOWN', `no preview ${request.params.id} (previews are kept in memory for a while, see the config's previews.retention, until the controller restarts); start a new one with POST /api/v1/previews`);
    if (request.query.format === 'markdown') return reply.type('text/markdown; charset=utf-8').send(previewMarkdown(preview));
    return preview;
  });
}
