/**
 * POST /hooks/github|gitlab|generic: verify the signature over the raw body (401 and nothing
 * triggered when it fails), then fetch the source at once for a push to the followed ref; anything
 * else answers 202 `{ignored: true, reason}`. Raw bodies are kept as buffers here only (an
 * encapsulated plugin), rate-limited per client address.
 */
import { DroverError } from '../../../manifests/errors.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ControllerApi } from '../api.js';
import type { SourceRef } from '../../config/types.js';
import type { Secret } from '../../config/secret.js';
import { WEBHOOK_PROVIDERS, decideWebhook, signatureProblem, type WebhookProvider } from './webhook-events.js';
import { decidePullRequest } from './pull-request-events.js';

/** Outcome of one webhook call, as drover_webhook_requests_total{result} counts it. */
export type WebhookOutcome = 'accepted' | 'ignored' | 'unauthorized' | 'invalid';

/** What the webhook routes need. */
export interface WebhookOptions {
  api: Pick<ControllerApi, 'triggerFetch' | 'startPreview'>;
  secret: Secret | undefined;
  followed: SourceRef;
  /** The followed repository's URL: pull requests of other repositories are ignored. */
  repository: string;
  bodyLimit: number;
  /** Requests per minute per client address. */
  rateLimitPerMinute: number;
  onWebhook?: (provider: WebhookProvider, outcome: WebhookOutcome) => void;
}

/** Registers the three webhook endpoints (call inside `app.register`, so the raw-body parser stays here). */
export async function registerWebhooks(app: FastifyInstance, options: WebhookOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimit }, (_request, body, done) => done(null, body));
  for (const provider of WEBHOOK_PROVIDERS) {
    app.post(`/hooks/${provider}`, {
      bodyLimit: options.bodyLimit,
      config: { rateLimit: { max: options.rateLimitPerMinute, timeWindow: 60_000 } },
    }, async (request, reply) => {
      const count = (outcome: WebhookOutcome): void => options.onWebhook?.(provider, outcome);
      if (!options.secret) {
        count('unauthorized');
        throw new DroverError('E_WEBHOOK_DISABLED', 'webhooks are off: set webhookSecretFile or webhookSecretEnv in the controller config');
      }
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const problem = signatureProblem(provider, request.headers, raw, options.secret.reveal());
      if (problem) {
        count('unauthorized');
        request.log.warn({ provider, problem }, 'webhook refused');
        throw new DroverError('E_WEBHOOK_SIGNATURE', `${problem}; nothing was triggered`);
      }
      let payload: unknown;
      try {
        payload = parsePayload(request, raw);
      } catch (err) {
        count('invalid');
        throw err;
      }
      const pullRequest = decidePullRequest(provider, request.headers, payload, { ref: options.followed, url: options.repository });
      if (pullRequest?.action === 'preview') {
        // Fetching the head commit is awaited, so a ref the remote does not have answers 404 to the forge.
        const preview = await options.api.startPreview({ ref: pullRequest.ref, holder: pullRequest.holder, trigger: 'webhook', pullRequest: pullRequest.pullRequest }).catch((err: unknown) => {
          count('invalid');
          throw err;
        });
        count('accepted');
        request.log.info({ provider, previewId: preview.previewId, revision: preview.revision }, 'webhook: previewing a pull request');
        return reply.code(202).header('location', `/api/v1/previews/${preview.previewId}`).send({ ignored: false, preview: preview.previewId, revision: preview.revision });
      }
      const decision = pullRequest ?? decideWebhook(provider, request.headers, payload, options.followed);
      if (decision.action === 'ignore') {
        count('ignored');
        request.log.info({ provider, reason: decision.reason }, 'webhook ignored');
        return reply.code(202).send({ ignored: true, reason: decision.reason });
      }
      count('accepted');
      request.log.info({ provider, ref: decision.ref }, 'webhook: fetching the source now');
      void options.api.triggerFetch().catch((err: unknown) => request.log.error({ err }, 'fetch after webhook failed'));
      return reply.code(202).send({ ignored: false, fetch: 'triggered', ...(decision.ref ? { ref: decision.ref } : {}) });
    });
  }
}

/** The JSON payload: the body itself, or GitHub's form encoding (`payload=<json>`). */
function parsePayload(request: FastifyRequest, raw: Buffer): unknown {
  const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  let text = raw.toString('utf8');
  if (type === 'application/x-www-form-urlencoded') text = new URLSearchParams(text).get('payload') ?? '';
  else if (type !== 'application/json' && !(type === '' && text === '')) {
    throw new DroverError('E_UNSUPPORTED_MEDIA_TYPE', `Content-Type ${type || '(none)'} is not accepted; send application/json`);
  }
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new DroverError('E_BAD_JSON', `the webhook body is not valid JSON: ${(err as Error).message}`);
  }
}
