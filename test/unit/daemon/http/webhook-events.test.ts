/** Webhook signatures and decisions (pure): tables of headers and bodies -> verdicts. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decideWebhook, followedRef, signatureProblem, type WebhookProvider } from '../../../../controller/daemon/http/webhook-events.js';

const SECRET = 's3cret';
const body = Buffer.from('{"ref":"refs/heads/main"}');
const sign = (b: Buffer, secret = SECRET): string => `sha256=${createHmac('sha256', secret).update(b).digest('hex')}`;

describe('signatureProblem', () => {
  const cases: [string, WebhookProvider, Record<string, string>, string | undefined][] = [
    ['github, right signature', 'github', { 'x-hub-signature-256': sign(body) }, undefined],
    ['github, upper-case hex', 'github', { 'x-hub-signature-256': sign(body).toUpperCase().replace('SHA256=', 'sha256=') }, undefined],
    ['github, missing', 'github', {}, 'X-Hub-Signature-256 is missing'],
    ['github, other secret', 'github', { 'x-hub-signature-256': sign(body, 'other') }, 'X-Hub-Signature-256 does not match the body signed with the webhook secret'],
    ['github, sha1 form', 'github', { 'x-hub-signature-256': 'sha1=abc' }, 'X-Hub-Signature-256 is not sha256=<64 hex digits>'],
    ['github, truncated', 'github', { 'x-hub-signature-256': sign(body).slice(0, -1) }, 'X-Hub-Signature-256 is not sha256=<64 hex digits>'],
    ['github, generic header only', 'github', { 'x-signature': sign(body) }, 'X-Hub-Signature-256 is missing'],
    ['gitlab, right token', 'gitlab', { 'x-gitlab-token': SECRET }, undefined],
    ['gitlab, wrong token', 'gitlab', { 'x-gitlab-token': `${SECRET}x` }, 'X-Gitlab-Token is not the webhook secret'],
    ['gitlab, missing', 'gitlab', {}, 'X-Gitlab-Token is missing'],
    ['generic, right signature', 'generic', { 'x-signature': sign(body) }, undefined],
    ['generic, signature of another body', 'generic', { 'x-signature': sign(Buffer.from('{}')) }, 'X-Signature does not match the body signed with the webhook secret'],
  ];
  it.each(cases)('%s', (_name, provider, headers, expected) => {
    expect(signatureProblem(provider, headers, body, SECRET)).toBe(expected);
  });
});

describe('decideWebhook', () => {
  const main = { branch: 'main' };
  const cases: [string, WebhookProvider, Record<string, string>, unknown, object, ReturnType<typeof decideWebhook>][] = [
    ['github push to main', 'github', { 'x-github-event': 'push' }, { ref: 'refs/heads/main' }, main, { action: 'fetch', ref: 'refs/heads/main' }],
    ['github push to a feature branch', 'github', { 'x-github-event': 'push' }, { ref: 'refs/heads/f' }, main, { action: 'ignore', reason: 'push to refs/heads/f, the controller follows refs/heads/main' }],
    ['github ping', 'github', { 'x-github-event': 'ping' }, { zen: 'x' }, main, { action: 'ignore', reason: 'ping event (the webhook is set up; pushes will trigger a fetch)' }],
    ['github issue event', 'github', { 'x-github-event': 'issues' }, {}, main, { action: 'ignore', reason: 'issues event is not a push' }],
    ['github without an event header', 'github', {}, {}, main, { action: 'ignore', reason: 'unnamed event is not a push' }],
    ['github push without ref', 'github', { 'x-github-event': 'push' }, {}, main, { action: 'ignore', reason: 'the push event names no ref' }],
    ['github push of the followed tag', 'github', { 'x-github-event': 'push' }, { ref: 'refs/tags/v1' }, { tag: 'v1' }, { action: 'fetch', ref: 'refs/tags/v1' }],
    ['github push with a pinned commit', 'github', { 'x-github-event': 'push' }, { ref: 'refs/heads/main' }, { commit: 'abc1234' }, { action: 'ignore', reason: 'the controller follows a pinned commit; pushes do not move it' }],
    ['gitlab push hook', 'gitlab', { 'x-gitlab-event': 'Push Hook' }, { ref: 'refs/heads/main' }, main, { action: 'fetch', ref: 'refs/heads/main' }],
    ['gitlab merge request hook', 'gitlab', { 'x-gitlab-event': 'Merge Request Hook' }, {}, main, { action: 'ignore', reason: 'Merge Request Hook event is not a push' }],
    ['generic without ref', 'generic', {}, {}, main, { action: 'fetch' }],
    ['generic with another ref', 'generic', {}, { ref: 'refs/heads/x' }, main, { action: 'ignore', reason: 'push to refs/heads/x, the controller follows refs/heads/main' }],
    ['ref that is not a string', 'generic', {}, { ref: 42 }, main, { action: 'fetch' }],
  ];
  it.each(cases)('%s', (_name, provider, headers, payload, followed, expected) => {
    expect(decideWebhook(provider, headers, payload, followed as Parameters<typeof followedRef>[0])).toEqual(expected);
  });
});
