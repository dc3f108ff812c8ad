/**
 * GET /live on a listening app (real HTTP, fetch streaming the answer): refused without a token, then
 * `event: change` naming the host for each change the controller's hooks report (coalesced), a host's
 * stream only its own host's and fleet-wide changes, and streams ended when the server closes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createChangeFeed, type ChangeFeed } from '../../../../controller/daemon/changes.js';
import type { ControllerApi } from '../../../../controller/daemon/api.js';
import { buildHttpApp } from '../../../../controller/daemon/http/server.js';
import { createLogger } from '../../../../controller/daemon/log.js';
import { Secret } from '../../../../controller/config/secret.js';
import { poll } from '../../../support/poll.js';

const TOKEN = 'live-token-0123456789';
let app: FastifyInstance;
let feed: ChangeFeed;
let url: string;

beforeEach(async () => {
  feed = createChangeFeed();
  // /live reads nothing of the API but its watch(): the feed the controller merges into its hooks.
  const api = { watch: (listener) => feed.subscribe(listener) } as Pick<ControllerApi, 'watch'> as ControllerApi;
  app = await buildHttpApp({
    api, log: createLogger({ level: 'silent' }), startedAt: 0,
    settings: { listen: '127.0.0.1:0', source: { url: 'file:///repo', ref: { branch: 'main' } }, apiToken: new Secret(TOKEN) } as unknown as Parameters<typeof buildHttpApp>[0]['settings'],
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});

afterEach(async () => {
  await app?.close();
});

/** Opens a stream and collects its text as it arrives. */
async function open(path: string): Promise<{ text: () => string; done: Promise<void> }> {
  const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  let text = '';
  const reader = res.body!.getReader();
  const done = (async () => {
    for (;;) {
      const { value, done: ended } = await reader.read();
      if (ended) return;
      text += Buffer.from(value).toString('utf8');
    }
  })();
  return { text: () => text, done };
}

describe('GET /live', () => {
  it('needs a token', async () => {
    expect((await fetch(`${url}/live`)).status).toBe(401);
  });

  it('tells which host changed (coalesced), a host page only of its host and the fleet, and ends when the server closes', async () => {
    const all = await open('/live');
    const web2 = await open('/live?host=web2');
    await poll('streams open', () => (all.text().startsWith('retry: 2000') && web2.text().startsWith('retry: 2000') ? true : undefined), { timeoutMs: 5000, everyMs: 10 });
    feed.events.hostSuspended!('web1');
    feed.events.hostResumed!('web1');
    await poll('web1 change', () => (all.text().includes('event: change\ndata: {"host":"web1"}\n\n') ? true : undefined), { timeoutMs: 5000, everyMs: 10 });
    expect(all.text().match(/event: change/g)).toHaveLength(1);
    feed.events.fetched!({ ok: true, atMs: 0 });
    await poll('fleet change', () => (web2.text().includes('data: {"fleet":true}') ? true : undefined), { timeoutMs: 5000, everyMs: 10 });
    expect(web2.text()).not.toContain('web1');
    await app.close();
    await Promise.all([all.done, web2.done]);
  });
});
