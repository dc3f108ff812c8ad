/**
 * The status page: GET / (the fleet), GET /hosts/NAME (one host), GET|POST /login, POST /logout, and
 * the console's actions (page-actions.ts) and live events (page-live.ts). Server-rendered HTML with
 * everything escaped, one inline script allowed by a nonce (a strict Content-Security-Policy forbids
 * anything else, and any request off the origin). Access needs an API token: as a bearer header, or
 * given once in the login form, which opens a session (a random id in an HttpOnly, SameSite=Strict
 * cookie; logout ends it, and it expires). What a page offers follows the viewer's role.
 */
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { scrubSecrets } from '../../../manifests/errors.js';
import type { SourceSettings } from '../../config/types.js';
import type { ControllerApi } from '../api.js';
import { SESSION_COOKIE, SESSION_SECONDS, type Auth } from './auth.js';
import { registerPageActions } from './page-actions.js';
import { registerLiveRoute } from './page-live.js';
import { permissionsOf } from './page/actions.js';
import { html, type Html } from './page/html.js';
import { fleetBody } from './page/fleet.js';
import { parseFleetFilter } from './page/fleet-filter.js';
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
  onSync?: () => void;
}

/** Events of the host page (newest first). */
const HOST_EVENTS = 50;

function headers(nonce: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  };
}

/** Registers the page routes (inside `app.register`: the form parser stays here). */
export async function registerPageRoutes(app: FastifyInstance, options: PageRouteOptions): Promise<void> {
  const { api, auth } = options;
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  const send = (reply: FastifyReply, status: number, title: string, body: Html, extra: { refresh?: number; live?: string } = {}): FastifyReply => {
    // The viewer (token name and role) is known to every page: what it shows depends on the role.
    const viewer = auth.principalOf(reply.request) ?? auth.pageViewer(reply.request);
    const loggedIn = auth.required && viewer !== undefined;
    const nonce = randomBytes(16).toString('base64');
    const refreshSeconds = extra.refresh ?? 0;
    const text = page({
      title, body, refreshSeconds, loggedIn, now: options.now(), nonce,
      ...(auth.required && viewer ? { viewer } : {}), ...(extra.live && refreshSeconds > 0 ? { live: extra.live } : {}),
    });
    void reply.code(status).headers(headers(nonce)).header('vary', 'accept-encoding');
    // A fleet page of 1,000 hosts is some 400 kB of repetitive markup and a tenth of it gzipped.
    if (text.length < 2048 || !/\bgzip\b/.test(String(reply.request.headers['accept-encoding'] ?? ''))) return reply.send(text);
    return reply.header('content-encoding', 'gzip').send(gzipSync(text, { level: 6 }));
  };
  const guard = (request: FastifyRequest, reply: FastifyReply): boolean => {
    if (auth.pageAllowed(request)) return true;
    void reply.code(303).header('location', '/login').header('cache-control', 'no-store').send();
    return false;
  };
  const permissions = (request: FastifyRequest) => permissionsOf(auth.pageViewer(request), auth.csrfToken(request), request.url);
  const source = { url: scrubSecrets(options.source.url), ref: describeRef(options.source.ref) };

  app.get<{ Querystring: Record<string, unknown> }>('/', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const status = api.status();
    const hosts = api.hosts();
    const s = status.source;
    const revisions = [s.newestRevision, s.lastGoodRevision, ...hosts.map((h) => h.lastAppliedRevision)].filter((r): r is string => r !== undefined);
    const commits = await api.commits(revisions).catch(() => ({}));
    const body = fleetBody({ source, status, hosts, now: options.now(), commits, groups: api.groups(), filter: parseFleetFilter(request.query), permissions: permissions(request) });
    return send(reply, 200, 'Fleet', body, { refresh: options.refreshSeconds, live: '/live' });
  });
  app.get<{ Params: { name: string } }>('/hosts/:name', async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const name = request.params.name;
    const host = new RegExp(HOST_NAME.pattern).test(name) ? api.host(name) : undefined;
    if (!host) return send(reply, 404, 'Unknown host', html`<p class="error">No host named <code>${name}</code>. <a href="/">Back to the fleet</a></p>`);
    const revisions = [host.lastAppliedRevision, ...host.history.map((r) => r.revision)].filter((r): r is string => r !== undefined);
    const [commits, events] = await Promise.all([
      api.commits(revisions).catch(() => ({})),
      api.events({ order: 'desc', host: name, limit: HOST_EVENTS }).then((p) => p.events, () => []),
    ]);
    const body = hostBody(host, options.now(), { commits, events, permissions: permissions(request) });
    return send(reply, 200, host.host, body, { refresh: options.refreshSeconds, live: `/live?host=${encodeURIComponent(host.host)}` });
  });
  app.get('/login', async (_request, reply) => {
    if (!auth.required) return reply.code(303).header('location', '/').send();
    return send(reply, 200, 'Log in', loginBody());
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
      return send(reply, 401, 'Log in', loginBody('That is not the API token.'));
    }
    const cookie = `${SESSION_COOKIE}=${auth.openSession(principal)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_SECONDS}${options.secure ? '; Secure' : ''}`;
    return reply.code(303).header('set-cookie', cookie).header('location', '/').send();
  });
  app.post('/logout', async (request, reply) => {
    auth.closeSession(request);
    return reply.code(303).header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${options.secure ? '; Secure' : ''}`).header('location', '/login').send();
  });
  registerPageActions(app, { api, auth, sendPage: (reply, status, title, body) => send(reply, status, title, body), ...(options.onSync ? { onSync: options.onSync } : {}) });
  registerLiveRoute(app, { api, auth });
}

function describeRef(ref: SourceSettings['ref']): string {
  if ('branch' in ref) return `branch ${ref.branch}`;
  if ('tag' in ref) return `tag ${ref.tag}`;
  return `commit ${ref.commit}`;
}
