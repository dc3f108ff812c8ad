/**
 * The status page's buttons: POST /actions (form-encoded), the action named by the pressed button
 * (`sync`, `dry-run`, `suspend`, `resume` with the host as value; `sync-all`; `resume-rollout` with the
 * lane), beside the form's `csrf` and `back`. Each action needs the role its API route needs (sync:
 * sync, dry-run, sync-all; admin: suspend, resume, resume-rollout), checked with the API's requireRole.
 * Refused without a session or bearer token (401), with a role that does not allow it (403
 * E_FORBIDDEN), or without the page's CSRF token (403 E_CSRF), before anything is done. The commands
 * themselves are the API's (commands.ts). A browser running the page's script asks for JSON and gets
 * `{message}`; a plain form post is sent back to its page (303), or shown an error page.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DroverError } from '../../../manifests/errors.js';
import type { ControllerApi } from '../api.js';
import type { Auth } from './auth.js';
import { hostCommand, resumeRolloutCommand, syncCommand } from './commands.js';
import { errorAnswer } from './errors.js';
import { html, type Html } from './page/html.js';
import { requireRole, type ApiRole } from './roles.js';
import { HOST_NAME } from './schemas.js';

/** What the action route needs. */
export interface PageActionOptions {
  api: ControllerApi;
  auth: Auth;
  /** Sends an HTML page (the page routes' frame). */
  sendPage: (reply: FastifyReply, status: number, title: string, body: Html) => FastifyReply;
  onSync?: () => void;
}

type Actor = { actor?: string };
/** One action: the role it needs and what it does with the button's value; resolves with what to tell the user. */
interface Action {
  role: ApiRole;
  run: (value: string, actor: Actor) => Promise<string> | string;
}

const HOST = new RegExp(HOST_NAME.pattern);

/** Registers POST /actions (inside the page scope, whose form parser it uses). */
export function registerPageActions(app: FastifyInstance, options: PageActionOptions): void {
  const { api, auth } = options;
  const host = (value: string): string => {
    if (!HOST.test(value) || value.length > HOST_NAME.maxLength) throw new DroverError('E_INVALID_REQUEST', `body: ${JSON.stringify(value.slice(0, 100))} is not a host name`);
    return value;
  };
  const sync = (dryRun: boolean): Action => ({
    role: 'sync',
    run: (value, actor) => {
      const { runId } = syncCommand(api, { hosts: [host(value)], dryRun, ...actor });
      options.onSync?.();
      return `${dryRun ? 'Dry run' : 'Sync'} of ${value} queued (run ${runId}).`;
    },
  });
  const actions: Readonly<Record<string, Action>> = {
    'sync': sync(false),
    'dry-run': sync(true),
    'sync-all': {
      role: 'sync',
      run: (_value, actor) => {
        const { runId } = syncCommand(api, { ...actor });
        options.onSync?.();
        return `Sync of every host queued (run ${runId}).`;
      },
    },
    'suspend': { role: 'admin', run: async (value, actor) => `${(await hostCommand(api, 'suspend', host(value), actor)).host} suspended.` },
    'resume': { role: 'admin', run: async (value, actor) => `${(await hostCommand(api, 'resume', host(value), actor)).host} resumed: it applies the newest good revision now.` },
    'resume-rollout': {
      role: 'admin',
      run: (value, actor) => {
        const lanes = resumeRolloutCommand(api, { ...(value ? { lane: value } : {}), ...actor });
        return `Rollout resumed (${lanes.map((l) => l.lane).join(', ') || 'no lane'}).`;
      },
    },
  };
  app.post<{ Body: Record<string, unknown> }>('/actions', {
    bodyLimit: 4096,
    onRequest: async (request) => {
      if (!auth.pageViewer(request)) throw new DroverError('E_UNAUTHENTICATED', 'log in first (the status page needs the API token)');
    },
    // The role first (a read-only viewer has no form, hence no token: it learns it may not), then the
    // CSRF token, before anything is done.
    preValidation: async (request) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const named = Object.keys(actions).filter((name) => typeof body[name] === 'string');
      if (named.length !== 1) throw new DroverError('E_INVALID_REQUEST', `body: name one action (${Object.keys(actions).join(', ')}); the page's buttons do`);
      requireRole(auth.principalOf(request)!, { method: 'POST', url: `/actions (${named[0]})`, routeOptions: { config: { role: actions[named[0]!]!.role } } as FastifyRequest['routeOptions'] });
      if (!auth.csrfValid(request, body.csrf)) throw new DroverError('E_CSRF', 'the form has no valid CSRF token for this session; reload the page and press the button again');
    },
    errorHandler: (error: FastifyError, request, reply) => answerError(error, request, reply, options),
  }, async (request, reply) => {
    const name = Object.keys(actions).find((n) => typeof request.body[n] === 'string')!;
    const message = await actions[name]!.run(request.body[name] as string, { actor: auth.principalOf(request)!.name });
    if (wantsJson(request)) return reply.header('cache-control', 'no-store').send({ message });
    return reply.code(303).header('location', safeBack(request.body.back)).send();
  });
}

function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('application/json');
}

/** A local path to come back to (never another origin): `/...` but not `//...` nor a backslash. */
export function safeBack(back: unknown): string {
  return typeof back === 'string' && /^\/(?![/\\])[^\\\s]*$/.test(back) ? back.slice(0, 2000) : '/';
}

function answerError(error: FastifyError, request: FastifyRequest, reply: FastifyReply, options: PageActionOptions): FastifyReply {
  const { status, body, internal } = errorAnswer(error);
  if (internal) request.log.error({ err: error }, 'status page action failed');
  else request.log.warn({ code: body.error.code }, 'status page action refused');
  if (wantsJson(request)) return reply.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(body);
  const back = safeBack((request.body as Record<string, unknown> | undefined)?.back);
  return options.sendPage(reply, status, 'Refused', html`<div class="card error" id="action-error"><b>${body.error.code}</b>: ${body.error.message}</div><p><a href="${back}">Back</a></p>`);
}
