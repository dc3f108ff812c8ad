/**
 * Bad HTTP input against a real controller (real fleet hosts, real Git remote): every malformed,
 * oversized, wrongly typed, unauthenticated or badly signed request gets a 4xx JSON
 * `{error: {code, message}}`, starts no run, triggers no fetch and changes no file in the state
 * directory (sha256 of every file before and after the whole table).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { join } from 'node:path';
import { hostFile, waitForHost, useControllerEnv } from '../controller/support.js';
import { API_TOKEN, WEBHOOK_SECRET, digestTree, request, signature, startHttpControllerIn, type Answer, type HttpController } from './support.js';

const env = useControllerEnv({ count: 2, name: 'http-bad' });
let ctl: HttpController;

beforeAll(async () => {
  await env.remote.commit({ 'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'one\n'), 'hosts/web2.yaml': hostFile(env.fleet.hosts[1]!, 'one\n') });
  const stateDir = join(env.dir, 'state');
  // No polling and no drift checks during the test: only a request could change the state.
  ctl = await startHttpControllerIn(env, { stateDir, extra: { source: { url: env.remote.bare, branch: 'main', interval: '1h' } } });
  for (const name of ['web1', 'web2']) await waitForHost(ctl, name, (r) => r.status === 'Synced', 'synced');
  const suspended = await request(`${ctl.url}/api/v1/hosts/web2/suspend`, { method: 'POST', token: true });
  expect(suspended.status).toBe(200);
  // A newer commit waits in the remote: a fetch triggered by mistake would record it.
  await env.remote.commit({ 'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'two\n') }, 'not fetched');
});

type Case = [name: string, path: string, init: RequestInit & { token?: boolean | string }, status: number, code: string, says?: RegExp];

const json = (body: unknown, extra: Record<string, string> = {}): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json', ...extra }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const hook = (body: string, headers: Record<string, string>): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
const push = JSON.stringify({ ref: 'refs/heads/main' });
const big = JSON.stringify({ hosts: ['web1'], padding: 'x'.repeat(100 * 1024) });
const bigHook = JSON.stringify({ ref: 'refs/heads/main', padding: 'x'.repeat(2 * 1024 * 1024) });

const CASES: Case[] = [
  // Authentication
  ['status without a token', '/api/v1/status', {}, 401, 'E_UNAUTHENTICATED', /Bearer/],
  ['hosts with a wrong token', '/api/v1/hosts', { token: 'wrong' }, 401, 'E_UNAUTHENTICATED', /not an API token/],
  ['one host with the token plus a suffix', '/api/v1/hosts/web1', { token: `${API_TOKEN}x` }, 401, 'E_UNAUTHENTICATED'],
  ['sync without a token', '/api/v1/sync', json({}), 401, 'E_UNAUTHENTICATED'],
  ['sync with Basic auth', '/api/v1/sync', json({}, { authorization: `Basic ${Buffer.from(`x:${API_TOKEN}`).toString('base64')}` }), 401, 'E_UNAUTHENTICATED'],
  ['sync with the webhook secret as token', '/api/v1/sync', { ...json({}), token: WEBHOOK_SECRET }, 401, 'E_UNAUTHENTICATED'],
  ['suspend without a token', '/api/v1/hosts/web1/suspend', { method: 'POST' }, 401, 'E_UNAUTHENTICATED'],
  ['resume with a wrong token', '/api/v1/hosts/web2/resume', { method: 'POST', token: 'nope' }, 401, 'E_UNAUTHENTICATED'],
  ['run without a token', '/api/v1/runs/sync-1', {}, 401, 'E_UNAUTHENTICATED'],
  // Malformed and wrongly typed sync bodies
  ['sync with broken JSON', '/api/v1/sync', { ...json('{"hosts": ['), token: true }, 400, 'E_BAD_JSON', /not valid JSON/],
  ['sync with an empty JSON body', '/api/v1/sync', { ...json(''), token: true }, 400, 'E_BAD_REQUEST', /empty/],
  ['sync without a body', '/api/v1/sync', { method: 'POST', token: true }, 400, 'E_INVALID_REQUEST', /must be object/],
  ['sync with an array body', '/api/v1/sync', { ...json([]), token: true }, 400, 'E_INVALID_REQUEST', /must be object/],
  ['sync with a string body', '/api/v1/sync', { ...json('"web1"'), token: true }, 400, 'E_INVALID_REQUEST'],
  ['sync with hosts as a string', '/api/v1/sync', { ...json({ hosts: 'web1' }), token: true }, 400, 'E_INVALID_REQUEST', /body\.hosts: must be array/],
  ['sync with a number as host', '/api/v1/sync', { ...json({ hosts: [1] }), token: true }, 400, 'E_INVALID_REQUEST', /body\.hosts\[0\]: must be string/],
  ['sync with a path as host', '/api/v1/sync', { ...json({ hosts: ['../etc'] }), token: true }, 400, 'E_INVALID_REQUEST', /must match pattern/],
  ['sync with dryRun as a string', '/api/v1/sync', { ...json({ dryRun: 'true' }), token: true }, 400, 'E_INVALID_REQUEST', /body\.dryRun: must be boolean/],
  ['sync with dryRun as a number', '/api/v1/sync', { ...json({ dryRun: 1 }), token: true }, 400, 'E_INVALID_REQUEST', /boolean/],
  ['sync with an unknown field', '/api/v1/sync', { ...json({ host: ['web1'] }), token: true }, 400, 'E_INVALID_REQUEST', /unknown field "host"/],
  ['sync as text/plain', '/api/v1/sync', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}', token: true }, 415, 'E_UNSUPPORTED_MEDIA_TYPE'],
  ['sync as a form', '/api/v1/sync', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'hosts=web1', token: true }, 415, 'E_UNSUPPORTED_MEDIA_TYPE'],
  ['sync with a 100 KiB body', '/api/v1/sync', { ...json(big), token: true }, 413, 'E_BODY_TOO_LARGE'],
  // Unknown and suspended hosts, unknown runs and routes
  ['sync of an unknown host', '/api/v1/sync', { ...json({ hosts: ['nope'] }), token: true }, 404, 'E_HOST_UNKNOWN', /"nope"/],
  ['sync naming two unknown hosts', '/api/v1/sync', { ...json({ hosts: ['web1', 'ghost1', 'ghost2'] }), token: true }, 404, 'E_HOST_UNKNOWN', /"ghost1", "ghost2"/],
  ['sync of a suspended host', '/api/v1/sync', { ...json({ hosts: ['web2'] }), token: true }, 409, 'E_HOST_SUSPENDED', /web2 is suspended/],
  ['an unknown host', '/api/v1/hosts/nope', { token: true }, 404, 'E_HOST_UNKNOWN', /"nope"/],
  ['a host name with a path', '/api/v1/hosts/..%2F..%2Fetc', { token: true }, 400, 'E_INVALID_REQUEST', /params\.name/],
  ['suspend an unknown host', '/api/v1/hosts/nope/suspend', { method: 'POST', token: true }, 404, 'E_HOST_UNKNOWN'],
  ['suspend with a broken JSON body', '/api/v1/hosts/web1/suspend', { ...json('{'), token: true }, 400, 'E_BAD_JSON'],
  ['resume with a 100 KiB body', '/api/v1/hosts/web2/resume', { ...json(big), token: true }, 413, 'E_BODY_TOO_LARGE'],
  ['an unknown run', '/api/v1/runs/sync-nope', { token: true }, 404, 'E_RUN_UNKNOWN'],
  ['a run id with a space', '/api/v1/runs/a%20b', { token: true }, 400, 'E_INVALID_REQUEST'],
  ['DELETE a host', '/api/v1/hosts/web1', { method: 'DELETE', token: true }, 404, 'E_NOT_FOUND'],
  ['an unknown endpoint', '/api/v1/nothing', { token: true }, 404, 'E_NOT_FOUND'],
  // Webhooks
  ['github push without a signature', '/hooks/github', hook(push, { 'x-github-event': 'push' }), 401, 'E_WEBHOOK_SIGNATURE', /missing; nothing was triggered/],
  ['github push signed with another secret', '/hooks/github', hook(push, { 'x-github-event': 'push', 'x-hub-signature-256': signature(push, 'other') }), 401, 'E_WEBHOOK_SIGNATURE', /does not match/],
  ['github push with the signature of another body', '/hooks/github', hook(push, { 'x-github-event': 'push', 'x-hub-signature-256': signature(`${push} `) }), 401, 'E_WEBHOOK_SIGNATURE'],
  ['github push with a sha1 signature', '/hooks/github', hook(push, { 'x-github-event': 'push', 'x-hub-signature-256': 'sha1=0123' }), 401, 'E_WEBHOOK_SIGNATURE', /sha256=/],
  ['gitlab push without a token', '/hooks/gitlab', hook(push, { 'x-gitlab-event': 'Push Hook' }), 401, 'E_WEBHOOK_SIGNATURE', /X-Gitlab-Token is missing/],
  ['gitlab push with a wrong token', '/hooks/gitlab', hook(push, { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'guess' }), 401, 'E_WEBHOOK_SIGNATURE'],
  ['gitlab push with the API token', '/hooks/gitlab', hook(push, { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': API_TOKEN }), 401, 'E_WEBHOOK_SIGNATURE'],
  ['generic hook with a bad signature', '/hooks/generic', hook(push, { 'x-signature': `sha256=${'0'.repeat(64)}` }), 401, 'E_WEBHOOK_SIGNATURE'],
  ['generic hook signed but not JSON', '/hooks/generic', hook('{ref', { 'x-signature': signature('{ref') }), 400, 'E_BAD_JSON'],
  ['github push signed but text/plain', '/hooks/github', { method: 'POST', headers: { 'content-type': 'text/plain', 'x-github-event': 'push', 'x-hub-signature-256': signature(push) }, body: push }, 415, 'E_UNSUPPORTED_MEDIA_TYPE'],
  ['github push of 2 MiB', '/hooks/github', hook(bigHook, { 'x-github-event': 'push', 'x-hub-signature-256': signature(bigHook) }), 413, 'E_BODY_TOO_LARGE'],
  ['GET on a webhook', '/hooks/github', {}, 404, 'E_NOT_FOUND'],
];

describe('bad HTTP requests against a real controller', () => {
  it(`answers each of ${CASES.length} bad requests with a 4xx JSON error and changes nothing`, async () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    const before = await digestTree(ctl.stateDir);
    const status = (await request(`${ctl.url}/api/v1/status`, { token: true })).json as { queue: { adds: number }; revisions: { newest: string } };
    const eventsBefore = ctl.events.length;
    const answers: [string, Answer][] = [];
    for (const [name, path, init] of CASES) answers.push([name, await request(`${ctl.url}${path}`, init)]);

    CASES.forEach(([name, , , status, code, says], i) => {
      const answer = answers[i]![1];
      expect(answer.status, `${name}: ${answer.text}`).toBe(status);
      expect(answer.headers.get('content-type'), name).toMatch(/^application\/json/);
      const body = answer.json as { error: { code: string; message: string } };
      expect(body, name).toEqual({ error: { code, message: expect.any(String) } });
      if (says) expect(body.error.message, name).toMatch(says);
    });
    expect(answers.find(([n]) => n === 'status without a token')![1].headers.get('www-authenticate')).toBe('Bearer realm="drover"');

    // The same controller still answers, and nothing was queued, started or fetched.
    const after = (await request(`${ctl.url}/api/v1/status`, { token: true })).json as typeof status;
    expect(after.queue.adds).toBe(status.queue.adds);
    expect(after.revisions.newest).toBe(status.revisions.newest);
    expect(await digestTree(ctl.stateDir)).toEqual(before);
    const later = ctl.events.slice(eventsBefore);
    expect(later.filter((e) => /run started|sync requested|fetching the source/.test(e.msg))).toEqual([]);
    expect(later.filter((e) => e.msg === 'webhook refused')).toHaveLength(8);
    expect(JSON.stringify(later)).not.toContain(API_TOKEN);
    expect(JSON.stringify(later)).not.toContain(WEBHOOK_SECRET);
  });

  it('reads and drops an 8 MiB body before its 413, so the sender gets the answer, not a reset', async () => {
    const url = new URL(`${ctl.url}/hooks/github`);
    const body = Buffer.alloc(8 * 1024 * 1024, 'x');
    const head = `POST /hooks/github HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\n`
      + `x-github-event: push\r\nx-hub-signature-256: ${signature('{}')}\r\ncontent-length: ${body.length}\r\n\r\n`;
    const { answer, writeError } = await new Promise<{ answer: string; writeError?: string }>((resolve) => {
      const socket = connect(Number(url.port), url.hostname);
      const chunks: Buffer[] = [];
      let writeError: string | undefined;
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('error', (e: NodeJS.ErrnoException) => { writeError = e.code ?? e.message; });
      socket.on('close', () => resolve({ answer: Buffer.concat(chunks).toString('utf8'), writeError }));
      socket.write(head);
      // The whole body, 64 KiB at a time as the socket takes it: the server answers when it has read it all.
      let sent = 0;
      const more = (): void => {
        while (sent < body.length) {
          const piece = body.subarray(sent, sent + 64 * 1024);
          sent += piece.length;
          if (!socket.write(piece)) { socket.once('drain', more); return; }
        }
      };
      more();
    });
    expect(writeError).toBeUndefined();
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toContain('"code":"E_BODY_TOO_LARGE"');
  });
});
