/**
 * Sending one request to a forge or notification target, and what its answer means: delivered; worth
 * retrying (no answer, a timeout, 5xx, 408, 425, 429, and 401/403, which a fixed token or a lifted
 * rate limit can cure); or refused for good (any other 4xx: an unknown repository or commit, a payload
 * the receiver will never take). Retries back off exponentially with equal jitter (work/backoff.ts),
 * or wait what `Retry-After` says. Reasons never hold the URL (webhook URLs can be credentials).
 */
import type { Random } from '../clock.js';
import { nextDelay } from '../work/backoff.js';

/** How one attempt went. */
export type Delivery =
  | { outcome: 'delivered'; status: number }
  | { outcome: 'retry'; reason: string; retryAfterMs?: number }
  | { outcome: 'refused'; reason: string };

/** Backoff of deliveries: first retry after ~1 s, doubling, at most 5 minutes apart. */
export const DELIVERY_BACKOFF = { baseMs: 1000, maxMs: 5 * 60_000 };
/** A Retry-After longer than this is cut to it. */
const MAX_RETRY_AFTER_MS = 60 * 60_000;
/** Longest an attempt may take. */
export const ATTEMPT_TIMEOUT_MS = 15_000;

/** What an answer with `status` means (`body`: the start of its text, for the reason). */
export function classifyAnswer(status: number, retryAfter: string | null, body: string, now: number): Delivery {
  if (status >= 200 && status < 300) return { outcome: 'delivered', status };
  const reason = `HTTP ${status}${body.trim() ? `: ${body.trim().replace(/\s+/g, ' ').slice(0, 200)}` : ''}`;
  const retry = status >= 500 || [401, 403, 408, 425, 429].includes(status);
  if (!retry) return { outcome: 'refused', reason };
  const after = parseRetryAfter(retryAfter, now);
  return { outcome: 'retry', reason, ...(after === undefined ? {} : { retryAfterMs: after }) };
}

/** `Retry-After` (seconds, or an HTTP date) in ms from `now`, capped; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : Date.parse(value) - now;
  return Number.isFinite(seconds) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, seconds)) : undefined;
}

/** How long to wait before attempt `attempts + 1`, after `attempts` failed ones. */
export function retryDelay(attempts: number, retryAfterMs: number | undefined, random: Random): number {
  return retryAfterMs ?? nextDelay(attempts, { ...DELIVERY_BACKOFF, random });
}

/** A request to a forge or a notification target (POST unless said). */
export interface OutgoingRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** POSTs `request` (timeout ATTEMPT_TIMEOUT_MS) and classifies the outcome; never rejects. */
export async function send(request: OutgoingRequest, now: () => number): Promise<Delivery> {
  return (await exchange(request, now)).delivery;
}

/** Sends `request` (timeout ATTEMPT_TIMEOUT_MS): the outcome and the answer's text (empty on no answer); never rejects. */
export async function exchange(request: OutgoingRequest, now: () => number): Promise<{ delivery: Delivery; text: string }> {
  try {
    const response = await fetch(request.url, {
      method: request.method ?? 'POST', headers: request.headers, redirect: 'manual', signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      ...(request.body === undefined ? {} : { body: request.body }),
    });
    const text = await response.text().catch(() => '');
    return { delivery: classifyAnswer(response.status, response.headers.get('retry-after'), text, now()), text };
  } catch (err) {
    return { delivery: { outcome: 'retry', reason: networkReason(err) }, text: '' };
  }
}

/** A network failure in a few words, without the URL. */
function networkReason(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${ATTEMPT_TIMEOUT_MS / 1000} s`;
  return e.cause?.code ?? e.cause?.message ?? 'the connection failed';
}
