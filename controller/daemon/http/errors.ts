/**
 * Every error the HTTP layer answers is `{error: {code, message}}` with a 4xx/5xx status: our own
 * DroverErrors (mapped by code), fastify's own errors (bad JSON, too large, wrong content type,
 * schema validation) and rate limiting. A 5xx never carries the internal message (it is logged).
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { DroverError, errorSpec, type ErrorCode } from '../../../manifests/errors.js';
import { HostOtherShardError, type Shard } from '../revisions/shard.js';

/** The JSON body of every error answer (`shard`: the replica that owns the host, with E_HOST_OTHER_SHARD). */
export interface ErrorBody {
  error: { code: string; message: string; shard?: Shard };
}

/** fastify's error codes -> our codes and a message a person can act on. */
const FASTIFY_ERRORS: Readonly<Record<string, { code: ErrorCode; message: (e: FastifyError) => string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'E_BODY_TOO_LARGE', message: () => 'the request body is larger than this endpoint accepts' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'E_UNSUPPORTED_MEDIA_TYPE', message: (e) => `${e.message}; send Content-Type: application/json` },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'E_BAD_REQUEST', message: () => 'the body is empty but Content-Type says JSON; send a JSON object, e.g. {}' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'E_BAD_JSON', message: (e) => `the body is not valid JSON: ${e.message}` },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'E_BAD_REQUEST', message: () => 'Content-Length does not match the body' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'E_URI_TOO_LONG', message: () => 'a part of the path is longer than any host name or id can be' },
  FST_ERR_BAD_URL: { code: 'E_BAD_REQUEST', message: () => 'the URL is malformed (bad percent-encoding?)' },
};

/** The answer for `err`: status and body. */
export function errorAnswer(err: unknown): { status: number; body: ErrorBody; internal: boolean } {
  // 421 Misdirected Request: the host is real but another replica answers for it; say which.
  if (err instanceof HostOtherShardError) {
    const { body, ...rest } = answer(421, err.code, err.message);
    return { ...rest, body: { error: { ...body.error, shard: { index: err.owner.index, count: err.owner.count } } } };
  }
  // Our own errors answer with their registry status; a 500 is a bug or a state write: its message stays in the log.
  if (err instanceof DroverError && errorSpec(err.code).http !== 500) return answer(errorSpec(err.code).http, err.code, err.message);
  const e = err as Partial<FastifyError> & { statusCode?: number };
  if (e.validation) return answer(400, 'E_INVALID_REQUEST', validationMessage(e.validation, e.validationContext ?? 'request'));
  const known = e.code ? FASTIFY_ERRORS[e.code] : undefined;
  if (known) return answer(e.statusCode ?? 400, known.code, known.message(e as FastifyError));
  if (e.statusCode === 429) return answer(429, 'E_RATE_LIMITED', e.message ?? 'too many requests; retry later');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return answer(e.statusCode, 'E_BAD_REQUEST', e.message ?? 'bad request');
  }
  return { ...answer(500, 'E_INTERNAL', 'internal error (logged by the controller)'), internal: true };
}

/** ajv's errors as one line naming each field: `body.hosts[0]: must match pattern ...; body: unknown field "x"`. */
function validationMessage(errors: NonNullable<FastifyError['validation']>, context: string): string {
  const parts = errors.map((v) => {
    const where = `${context}${v.instancePath.replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.')}`;
    const extra = (v.params as { additionalProperty?: string }).additionalProperty;
    if (extra !== undefined) return `${where}: unknown field ${JSON.stringify(extra)}`;
    return `${where}: ${v.message ?? 'is invalid'}`;
  });
  const hint = context === 'body' ? ' (send a JSON object such as {} or {"hosts": ["web1"], "dryRun": true})' : '';
  return `${[...new Set(parts)].join('; ')}${hint}`;
}

function answer(status: number, code: ErrorCode, message: string): { status: number; body: ErrorBody; internal: boolean } {
  return { status, body: { error: { code, message } }, internal: false };
}

/** Installs the error and not-found handlers on `app`. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler(async (err, request, reply) => {
    const { status, body, internal } = errorAnswer(err);
    if (body.error.code === 'E_BODY_TOO_LARGE') await drainBody(request.raw);
    if (internal) request.log.error({ err }, 'request failed');
    if (status === 401) void reply.header('www-authenticate', 'Bearer realm="drover"');
    return sendError(reply, status, body);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, { error: { code: 'E_NOT_FOUND', message: `no such endpoint: ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}` } }));
}

/** The most of a refused body read and dropped so its sender can read the 413; a larger one is cut off. */
const DRAIN_BYTES = 16 * 1024 * 1024;
const DRAIN_MS = 10_000;

/**
 * Reads and drops what is left of a body that is too large (up to DRAIN_BYTES, for DRAIN_MS at most).
 * Answering while the client still writes, then closing, makes the kernel reset the connection, and
 * the client loses the 413 and sees EPIPE or ECONNRESET instead: the lingering close of Apache and nginx.
 */
async function drainBody(raw: IncomingMessage): Promise<void> {
  if (raw.complete || raw.destroyed) return;
  await new Promise<void>((resolve) => {
    let seen = 0;
    const done = (): void => { clearTimeout(timer); raw.off('data', onData); raw.off('end', done); raw.off('error', done); raw.off('close', done); resolve(); };
    const onData = (chunk: Buffer): void => { seen += chunk.length; if (seen > DRAIN_BYTES) done(); };
    const timer = setTimeout(done, DRAIN_MS);
    raw.on('data', onData).on('end', done).on('error', done).on('close', done);
    raw.resume();
  });
}

function sendError(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(body);
}
