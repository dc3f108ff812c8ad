/**
 * Git host webhooks, pure: is the request signed with the webhook secret, and does the event it
 * carries concern the followed ref? GitHub signs the raw body (X-Hub-Signature-256: sha256=<hex>
 * HMAC-SHA256), GitLab sends the secret itself (X-Gitlab-Token), the generic hook signs like GitHub
 * in X-Signature. All comparisons are constant-time.
 */
import { createHmac } from 'node:crypto';
import type { SourceRef } from '../../config/types.js';
import { constantTimeEqual } from './auth.js';

/** The webhook providers, one endpoint each: /hooks/<provider>. */
export const WEBHOOK_PROVIDERS = ['github', 'gitlab', 'generic'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

type Headers = Record<string, string | string[] | undefined>;

/** Why a signature check failed, or undefined when it passed. */
export function signatureProblem(provider: WebhookProvider, headers: Headers, rawBody: Buffer, secret: string): string | undefined {
  if (provider === 'gitlab') {
    const token = header(headers, 'x-gitlab-token');
    if (token === undefined) return 'X-Gitlab-Token is missing';
    return constantTimeEqual(token, secret) ? undefined : 'X-Gitlab-Token is not the webhook secret';
  }
  const name = provider === 'github' ? 'X-Hub-Signature-256' : 'X-Signature';
  const given = header(headers, name.toLowerCase());
  if (given === undefined) return `${name} is missing`;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(given.trim());
  if (!match) return `${name} is not sha256=<64 hex digits>`;
  const expected = createHmac('sha256', secret).update(rawBody).digest('hex');
  return constantTimeEqual(match[1]!.toLowerCase(), expected) ? undefined : `${name} does not match the body signed with the webhook secret`;
}

/** What to do with a verified webhook. */
export type WebhookDecision = { action: 'fetch'; ref?: string } | { action: 'ignore'; reason: string };

/**
 * Decides from the (verified) event: a push to the followed branch (or tag) fetches; pings, other
 * events and other refs are ignored with the reason. A generic hook without a `ref` fetches.
 */
export function decideWebhook(provider: WebhookProvider, headers: Headers, body: unknown, followed: SourceRef): WebhookDecision {
  const event = provider === 'github' ? header(headers, 'x-github-event') : provider === 'gitlab' ? header(headers, 'x-gitlab-event') : 'push';
  if (provider === 'github' && event === 'ping') return { action: 'ignore', reason: 'ping event (the webhook is set up; pushes will trigger a fetch)' };
  const pushes = provider === 'gitlab' ? ['Push Hook', 'Tag Push Hook', 'System Hook'] : ['push'];
  if (event === undefined || !pushes.includes(event)) return { action: 'ignore', reason: `${event ?? 'unnamed'} event is not a push` };
  const ref = typeof (body as { ref?: unknown } | null)?.ref === 'string' ? (body as { ref: string }).ref : undefined;
  if (ref === undefined) {
    return provider === 'generic' ? { action: 'fetch' } : { action: 'ignore', reason: 'the push event names no ref' };
  }
  const wanted = followedRef(followed);
  if (wanted === undefined) return { action: 'ignore', reason: 'the controller follows a pinned commit; pushes do not move it' };
  if (ref !== wanted) return { action: 'ignore', reason: `push to ${ref}, the controller follows ${wanted}` };
  return { action: 'fetch', ref };
}

/** `refs/heads/<branch>` or `refs/tags/<tag>`; undefined for a pinned commit. */
export function followedRef(ref: SourceRef): string | undefined {
  if ('branch' in ref) return `refs/heads/${ref.branch}`;
  if ('tag' in ref) return `refs/tags/${ref.tag}`;
  return undefined;
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
