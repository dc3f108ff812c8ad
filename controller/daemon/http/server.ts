/**
 * The controller's HTTP listener (fastify): health, /api/v1, webhooks, the status page and, when
 * given, /metrics. Without an API token it refuses any but a loopback address and says so; with
 * `tls` it serves HTTPS. Only the controller's read/command interface (ControllerApi) is used.
 */
import { readFile } from 'node:fs/promises';
import rateLimit from '@fastify/rate-limit';
import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify';
import { DroverError } from '../../../manifests/errors.js';
import type { ControllerSettings } from '../../config/types.js';
import type { ControllerApi } from '../api.js';
import type { Logger } from '../log.js';
import { registerApiRoutes } from './api-routes.js';
import { registerEventRoutes } from './event-routes.js';
import { createAuth } from './auth.js';
import { errorAnswer, installErrorHandlers } from './errors.js';
import { registerHealth } from './health.js';
import { checkListenAllowed, urlOf } from './listen.js';
import { registerPageRoutes } from './page-routes.js';
import { registerPreviewRoutes } from './preview-routes.js';
import { AJV_OPTIONS } from './schemas.js';
import { registerWebhooks, type WebhookOutcome } from './webhooks.js';
import type { WebhookProvider } from './webhook-events.js';

/** Limits of the listener (defaults suit a fleet of thousands). */
export interface HttpLimits {
  /** Largest /api/v1 body (default 64 KiB). */
  apiBodyBytes: number;
  /** Largest webhook body (default 1 MiB; GitHub push payloads are far smaller). */
  webhookBodyBytes: number;
  /** Webhook calls per minute and client address (default 60). */
  webhooksPerMinute: number;
  /** Login attempts per minute and client address (default 10). */
  loginsPerMinute: number;
}

const DEFAULT_LIMITS: HttpLimits = { apiBodyBytes: 64 * 1024, webhookBodyBytes: 1024 * 1024, webhooksPerMinute: 60, loginsPerMinute: 10 };

/** What the listener serves. */
export interface HttpServerOptions {
  api: ControllerApi;
  settings: Pick<ControllerSettings, 'listen' | 'apiToken' | 'webhookSecret' | 'tls' | 'source'> & Partial<Pick<ControllerSettings, 'apiTokens'>>;
  log: Logger;
  /** When the controller started (epoch ms): /readyz waits for a revision judged after it. */
  startedAt: number;
  now?: () => number;
  limits?: Partial<HttpLimits>;
  /** Adds routes on the same listener (e.g. GET /metrics). */
  extraRoutes?: (app: FastifyInstance) => void;
  onWebhook?: (provider: WebhookProvider, outcome: WebhookOutcome) => void;
  onSync?: () => void;
  /** Seconds between status page refreshes (default 5). */
  refreshSeconds?: number;
}

/** A listening server. */
export interface HttpServer {
  /** `http(s)://host:port` it listens on (the real port when 0 was asked for). */
  url: string;
  close(): Promise<void>;
}

/**
 * Builds the fastify app (not listening). Throws E_API_TOKEN_REQUIRED for a non-loopback listen
 * without a token, and E_TLS_FILES when the certificate or key cannot be read.
 */
export async function buildHttpApp(options: HttpServerOptions): Promise<FastifyInstance> {
  const { api, settings } = options;
  checkListenAllowed(settings.listen, hasToken(settings));
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const https = settings.tls ? await readTls(settings.tls) : undefined;
  const app = Fastify({
    loggerInstance: options.log.child({ component: 'http' }),
    // One line per request would drown the controller's own events; refusals are logged where they happen.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.apiBodyBytes,
    ajv: { customOptions: AJV_OPTIONS },
    // Errors the router meets before any route (a path parameter of 5,000 characters, a malformed URL)
    // answer in drover's shape too.
    frameworkErrors: (error, _request, reply) => {
      const { status, body } = errorAnswer(error);
      void (reply as unknown as FastifyReply).code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(body);
    },
    ...(https ? { https } : {}),
  }) as unknown as FastifyInstance;
  installErrorHandlers(app);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => Object.assign(new Error(`too many requests: at most ${context.max} a minute from one address; retry in ${Math.ceil(context.ttl / 1000)} s`), { statusCode: 429 }),
  });
  const auth = createAuth(settings.apiToken, { now: options.now ?? Date.now, failuresPerMinute: limits.loginsPerMinute, tokens: settings.apiTokens ?? [] });
  const now = options.now ?? Date.now;
  registerHealth(app, api, options.startedAt);
  await app.register(async (scope) => {
    await registerApiRoutes(scope, { api, auth, source: settings.source, bodyLimit: limits.apiBodyBytes, ...(options.onSync ? { onSync: options.onSync } : {}) });
    registerEventRoutes(scope, { api });
  });
  await app.register(async (scope) => registerPreviewRoutes(scope, { api, auth, bodyLimit: limits.apiBodyBytes }));
  await app.register(async (scope) => registerWebhooks(scope, {
    api, secret: settings.webhookSecret, followed: settings.source.ref, repository: settings.source.url, bodyLimit: limits.webhookBodyBytes, rateLimitPerMinute: limits.webhooksPerMinute,
    ...(options.onWebhook ? { onWebhook: options.onWebhook } : {}),
  }));
  await app.register(async (scope) => registerPageRoutes(scope, {
    api, auth, source: settings.source, now, refreshSeconds: options.refreshSeconds ?? 5, secure: https !== undefined, loginRateLimitPerMinute: limits.loginsPerMinute,
    ...(options.onSync ? { onSync: options.onSync } : {}),
  }));
  options.extraRoutes?.(app);
  return app;
}

/**
 * Builds the app and listens on `settings.listen`. Logs where, and warns when no token is
 * configured. Rejects with E_LISTEN (address in use, no such address) after closing what it opened.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { settings, log } = options;
  const address = checkListenAllowed(settings.listen, hasToken(settings));
  const app = await buildHttpApp(options);
  try {
    await app.listen({ host: address.host, port: address.port });
  } catch (err) {
    await app.close();
    throw new DroverError('E_LISTEN', `cannot listen on ${settings.listen}: ${(err as Error).message}`, { cause: err });
  }
  const bound = app.server.address();
  const url = urlOf({ host: address.host, port: typeof bound === 'object' && bound ? bound.port : address.port }, settings.tls !== undefined);
  if (!hasToken(settings)) log.warn({ url }, 'no API token configured: the API and status page are open to anyone on this machine, so they listen on loopback only; set apiTokenFile or apiTokenEnv to listen elsewhere');
  if (!settings.webhookSecret) log.info('no webhook secret configured: /hooks/* answer 403 until webhookSecretFile or webhookSecretEnv is set');
  log.info({ url, tls: settings.tls !== undefined, auth: hasToken(settings) ? 'bearer token' : 'none (loopback only)', tokens: tokenNames(settings) }, `HTTP API listening on ${url}`);
  return { url, close: () => app.close() };
}

/** True when the listener needs a token (apiTokenFile/Env or apiTokens). */
export function hasToken(settings: Pick<ControllerSettings, 'apiToken'> & Partial<Pick<ControllerSettings, 'apiTokens'>>): boolean {
  return settings.apiToken !== undefined || (settings.apiTokens?.length ?? 0) > 0;
}

/** `name (role)` of each token, for the start-up log line (never a value). */
function tokenNames(settings: Pick<ControllerSettings, 'apiToken'> & Partial<Pick<ControllerSettings, 'apiTokens'>>): string[] {
  return [...(settings.apiToken ? ['apiToken (admin)'] : []), ...(settings.apiTokens ?? []).map((t) => `${t.name} (${t.role})`)];
}

async function readTls(tls: { certFile: string; keyFile: string }): Promise<{ cert: Buffer; key: Buffer }> {
  try {
    return { cert: await readFile(tls.certFile), key: await readFile(tls.keyFile) };
  } catch (err) {
    throw new DroverError('E_TLS_FILES', `cannot read the TLS certificate or key: ${(err as Error).message}; check tls.certFile and tls.keyFile`, { cause: err });
  }
}
