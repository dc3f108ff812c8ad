/**
 * The status page: GET / (the fleet), GET /hosts/NAME (one host), GET|POST /login and POST /logout.
 * Server-rendered HTML with everything escaped, no script, no external asset (a strict
 * Content-Security-Policy says so to the browser), refreshed by a meta tag. Access needs the API
 * token: as a bearer header, or given once in the login form, which opens a session (a random id in
 * an HttpOnly, SameSite=Strict cookie; logout ends it, and it expires).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { scrubSecrets } from '../../../manifests/errors.js';
import type { SourceSettings } from '../../config/types.js';
import type { ControllerApi } from '../api.js';
import { SESSION_COOKIE, SESSION_SECONDS, type Auth } from './auth.js';
import { html } from './page/html.js';
import { fleetBody } from './page/fleet.js';
import { hostBody } from './page/host.js';
import { page } from './page/layout.js';
import { loginBody } from './page/login.js';
import { HOST_NAME } from './schemas.js';

/** What the page routes need. */
export interface PageRouteOptions {
  api: ControllerApi;
  auth: Auth;
  source: Pick<SourceSettings, 'url' | 'ref'>;
  now: () => number;
  refreshSeconds: number;
  /** Served over TLS: the cookie gets `Secure`. */
  secure: boolean;
  loginRateLimitPerMinute: number;
}

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** Registers the page routes (inside `app.register`: the form parser stays here). */
export async function registerPageRoutes(app: FastifyInstance, options: PageRouteOptions): Promise<void> {
  const { api, auth } = options;
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  const send = (reply: FastifyReply, status: number, title: string, body: ReturnType<typeof html>, refresh = options.refreshSeconds): FastifyReply => {
    // The viewer (token name and role) is known to every page: what it shows may depend on the role.
    const viewer = auth.principalOf(reply.request) ?? auth.pageViewer(reply.request);
    const loggedIn = auth.required && viewer !== undefined;
    return reply.code(status).headers(HEADERS).send(page({ title, body, refreshSeconds: refresh, loggedIn, now: options.now(), ...(auth.required && viewer ? { viewer } : {}) }));
  };
  const guard = (request: FastifyRequest, reply: FastifyReply): boolean => {
    if (auth.pageAllowed(request)) return true;
    void reply.code(303).header('location', '/login').header('cache-control', 'no-store').send();
    return false;
  };
  const source = { url: scrubSecrets(options.source.url), ref: describeRef(options.source.ref) };

  app.get('/', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    return send(reply, 200, 'Fleet', fleetBody({ source, status: api.status(), hosts: api.hosts(), now: options.now() }));
  });
  app.get<{ Params: { name: string } }>('/hosts/:name', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const name = request.params.name;
    const host = new RegExp(HOST_NAME.pattern).test(name) ? api.host(name) : undefined;
    if (!host) return send(reply, 404, 'Unknown host', html`<p class="error">No host named <code>${name}</code>. <a href="/">Back to the fleet</a></p>`, 0);
    return send(reply, 200, host.host, hostBody(host, options.now()));
  });
  app.get('/login', async (_request, reply) => {
    if (!auth.required) return reply.code(303).header('location', '/').send();
    return send(reply, 200, 'Log in', loginBody(), 0);
  });
  app.post<{ Body: Record<string, string> | undefined }>('/login', {
    bodyLimit: 4096,
    config: { rateLimit: { max: options.loginRateLimitPerMinute, timeWindow: 60_000 } },
  }, async (request, reply) => {
    const token = typeof request.body === 'object' && request.body ? request.body.token : undefined;
    if (!auth.required) return reply.code(303).header('location', '/').send();
    const principal = typeof token === 'string' ? auth.identify(token, request) : undefined;
    if (!principal) {
      request.log.warn('status page login refused');
      return send(reply, 401, 'Log in', loginBody('That is not the API token.'), 0);
    }
    const cookie = `${SESSION_COOKIE}=${auth.openSession(principal)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_SECONDS}${options.secure ? '; Secure' : ''}`;
    return reply.code(303).header('set-cookie', cookie).header('location', '/').send();
  });
  app.post('/logout', async (request, reply) => {
    auth.closeSession(request);
    return reply.code(303).header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${options.secure ? '; Secure' : ''}`).header('location', '/login').send();
  });
}

function describeRef(ref: SourceSettings['ref']): string {
  if ('branch' in ref) return `branch ${ref.branch}`;
  if ('tag' in ref) return `tag ${ref.tag}`;
  return `commit ${ref.commit}`;
}
