/**
 * The status page's buttons (POST /actions/*, form-encoded): sync, dry run and sync all (role sync),
 * suspend, resume and resume rollout (admin), the roles their API routes need. Each is refused before
 * the body is read without a session or bearer token (401) or with a role that does not allow it (403
 * E_FORBIDDEN), and before anything is done without the page's CSRF token (403 E_CSRF). The commands
 * themselves are the API's (commands.ts). A browser running the page's script asks for JSON and gets
 * `{message}`; a plain form post is sent back to its page (303), or shown an error page.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DroverError } from '../../../manifests/errors.js';
import type { ControllerApi } from '../api.js';
import type { Auth } from './auth.js';
import { hostCommand, resumeRolloutCommand, syncCommand } from './commands.js';
import { errorAnswer } from './errors.js';
import { html } from './page/html.js';
import { requireRole, type ApiRole } from './roles.js';
import { HOST_NAME } from './schemas.js';

/** What the action routes need. */
export interface PageActionOptions {
  api: ControllerApi;
  auth: Auth;
  /** Sends an HTML page (the page routes' frame). */
  sendPage: (reply: FastifyReply, status: number, title: string, body: ReturnType<typeof html>) => FastifyReply;
  onSync?: () => void;
}

type ActionBody = { csrf?: string; back?: string; host?: string; lane?: string };
type Action = (body: ActionBody, actor: { actor?: string }) => Promise<string> | string;

const BODY = {
  type: 'object',
  properties: { csrf: { type: 'string' }, back: { type: 'string', maxLength: 2000 }, host: HOST_NAME, lane: { type: 'string', maxLength: 253 }, all: { type: 'string' } },
} as const;

/** Registers POST /actions/* (inside the page scope, whose form parser they use). */
export function registerPageActions(app: FastifyInstance, options: PageActionOptions): void {
  const { api, auth } = options;
  const needHost = (body: ActionBody): string => {
    if (body.host === undefined) throw new DroverError('E_INVALID_REQUEST', 'body.host: which host (the button sends it)');
    return body.host;
  };
  const sync = (dryRun: boolean): Action => (body, actor) => {
    const host = needHost(body);
    const { runId } = syncCommand(api, { hosts: [host], dryRun, ...actor });
    options.onSync?.();
    return `${dryRun ? 'Dry run' : 'Sync'} of ${host} queued (run ${runId}).`;
  };
  const actions: [string, ApiRole, Action][] = [
    ['sync', 'sync', sync(false)],
    ['dry-run', 'sync', sync(true)],
    ['sync-all', 'sync', (_body, actor) => {
      const { runId } = syncCommand(api, { ...actor });
      options.onSync?.();
      return `Sync of every host queued (run ${runId}).`;
    }],
    ['suspend', 'admin', async (body, actor) => `${(await hostCommand(api, 'suspend', needHost(body), actor)).host} suspended.`],
    ['resume', 'admin', async (body, actor) => `${(await hostCommand(api, 'resume', needHost(body), actor)).host} resumed: it applies the newest good revision now.`],
    ['resume-rollout', 'admin', (body, actor) => {
      const lanes = resumeRolloutCommand(api, { ...(body.lane ? { lane: body.lane } : {}), ...actor });
      return `Rollout resumed (${lanes.map((l) => l.lane).join(', ') || 'no lane'}).`;
    }],
  ];
  for (const [name, role, action] of actions) {
    app.post<{ Body: ActionBody }>(`/actions/${name}`, {
      bodyLimit: 4096, config: { role }, schema: { body: BODY },
      onRequest: async (request) => {
        const viewer = auth.pageViewer(request);
        if (!viewer) throw new DroverError('E_UNAUTHENTICATED', 'log in first (the status page needs the API token)');
        requireRole(viewer, request);
      },
      // Before validation: a forged form is refused as forged whatever else it holds.
      preValidation: async (request) => {
        const body = request.body as ActionBody | undefined;
        if (!auth.csrfValid(request, body?.csrf)) throw new DroverError('E_CSRF', 'the form has no valid CSRF token for this session; reload the page and press the button again');
      },
      errorHandler: (error: FastifyError, request, reply) => answerError(error, request, reply, options),
    }, async (request, reply) => {
      const name = auth.principalOf(request)?.name;
      const message = await action(request.body, name === undefined ? {} : { actor: name });
      if (wantsJson(request)) return reply.header('cache-control', 'no-store').send({ message });
      return reply.code(303).header('location', safeBack(request.body.back)).send();
    });
  }
}

function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('application/json');
}

/** A local path to come back to (never another origin): `/...` but not `//...` nor a backslash. */
export function safeBack(back: string | undefined): string {
  return back !== undefined && /^\/(?![/\\])[^\\\s]*$/.test(back) ? back : '/';
}

function answerError(error: FastifyError, request: FastifyRequest, reply: FastifyReply, options: PageActionOptions): FastifyReply {
  const { status, body, internal } = errorAnswer(error);
  if (internal) request.log.error({ err: error }, 'status page action failed');
  else request.log.warn({ code: body.error.code, url: request.url }, 'status page action refused');
  if (wantsJson(request)) return reply.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(body);
  const back = safeBack((request.body as ActionBody | undefined)?.back);
  return options.sendPage(reply, status, 'Refused', html`<div class="card error" id="action-error"><b>${body.error.code}</b>: ${body.error.message}</div><p><a href="${back}">Back</a></p>`);
}
