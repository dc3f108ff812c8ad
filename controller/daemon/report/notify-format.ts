/**
 * The bodies notification targets get (pure). `json`: a batch of events as schema/event.schema.json
 * describes it, `{version: 1, revision, url?, events, omitted}`; `slack`: an incoming-webhook message
 * `{"text": ...}` (Slack, Mattermost, Matrix hookshot read the same shape). With a secret, the body is
 * signed: `X-Drover-Signature: sha256=<hex HMAC-SHA256 of the exact body>`.
 */
import { createHmac } from 'node:crypto';
import type { DroverEvent } from './events.js';

/** Events in one message at most (the rest are counted in `omitted`, the log keeps them all). */
export const MAX_EVENTS_PER_MESSAGE = 500;
/** Lines of a Slack message at most. */
const MAX_LINES = 20;

/** Name of the signature header. */
export const SIGNATURE_HEADER = 'x-drover-signature';

/** The `json` body of a batch. */
export function jsonBody(batch: { revision: string | undefined; events: readonly DroverEvent[]; url?: string }): string {
  const events = batch.events.slice(0, MAX_EVENTS_PER_MESSAGE);
  return JSON.stringify({
    version: 1, revision: batch.revision ?? null, ...(batch.url ? { url: batch.url } : {}),
    events, omitted: batch.events.length - events.length,
  });
}

/** The `slack` body of a batch: a headline for the revision, then one line per event. */
export function slackBody(batch: { revision: string | undefined; events: readonly DroverEvent[]; url?: string }): string {
  const head = batch.revision ? `*drover* \`${shortRevision(batch.revision)}\`` : '*drover*';
  const lines = batch.events.slice(0, MAX_LINES).map((e) => `• ${slackEscape(eventLine(e))}`);
  if (batch.events.length > MAX_LINES) lines.push(`… and ${batch.events.length - MAX_LINES} more events`);
  if (batch.url) lines.push(`<${batch.url}|status page>`);
  return JSON.stringify({ text: [head, ...lines].join('\n') });
}

/** Text safe in Slack's mrkdwn (`&`, `<`, `>` are control characters there). */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `main@sha1:0123456789...` -> `main@0123456`. */
export function shortRevision(revision: string): string {
  const m = /^(.*?)@?sha1:([0-9a-f]{7})[0-9a-f]*$/.exec(revision);
  return m ? `${m[1] ? `${m[1]}@` : ''}${m[2]}` : revision;
}

/** One event as one line of text. */
export function eventLine(e: DroverEvent): string {
  const by = 'actor' in e && e.actor ? ` (by ${e.actor})` : '';
  switch (e.type) {
    case 'revision.accepted': return `revision ${shortRevision(e.revision)} accepted`;
    case 'revision.rejected': return `revision ${shortRevision(e.revision)} rejected: ${e.problemCount} problem${e.problemCount === 1 ? '' : 's'}${e.problems[0] ? `; ${e.problems[0]}` : ''}`;
    case 'revision.finished': return `revision ${shortRevision(e.revision)} ${e.state}: ${e.description}`;
    case 'host.failed': return `${e.host} failed: ${e.code}${e.step ? ` at ${e.step}` : ''}: ${e.message}`;
    case 'host.rolledBack': return `${e.host} rolled back: ${e.message}`;
    case 'host.unreachable': return `${e.host} unreachable: ${e.code}: ${e.message}`;
    case 'host.conflict': return `${e.host}: ${e.resource} in Conflict (${e.code}): ${e.message}`;
    case 'host.driftRepaired': return `${e.host}: drift repaired (${e.changedSteps.join(', ') || 'no steps changed'})`;
    case 'rollout.halted': return `rollout ${e.lane} halted at wave ${e.wave}: ${e.reason}`;
    case 'rollout.resumed': return `rollout ${e.lane} resumed at wave ${e.wave}${by}`;
    case 'run.finished': return `${e.host}: ${e.trigger} run ${e.result}${e.changedSteps.length ? ` (${e.changedSteps.length} step${e.changedSteps.length === 1 ? '' : 's'} changed)` : ''}${by}`;
    case 'sync.requested': return `sync of ${e.hostCount} host${e.hostCount === 1 ? '' : 's'} requested${e.dryRun ? ' (dry run)' : ''}${by}`;
    case 'host.suspended': return `${e.host} suspended${by}`;
    case 'host.resumed': return `${e.host} resumed${by}`;
  }
}

/** `sha256=<hex>` of `body` under `secret`. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
