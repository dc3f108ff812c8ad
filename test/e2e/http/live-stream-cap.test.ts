/**
 * The bound on the status page's live streams (GET /live, MAX_STREAMS) on a real controller process:
 * MAX_STREAMS streams held open by plain HTTP requests are all accepted, the next one is refused with
 * 503 E_TOO_MANY_STREAMS, Retry-After and a message saying what happens instead; once one closes a new
 * one is accepted, and the bound holds again. A page opened in Chromium meanwhile is refused its stream,
 * says so, refreshes itself instead (a change shows without a reload), and goes live once a stream is free.
 */
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, type IncomingMessage } from 'node:http';
import type { Page } from 'playwright-core';
import { MAX_STREAMS } from '../../../controller/daemon/http/page-live.js';
import { LIVE_RETRY_SECONDS } from '../../../controller/daemon/http/page/live.js';
import { launchChromium, logIn, type Browser } from '../../support/browser.js';
import { poll } from '../../support/poll.js';
import { hostFile, useControllerEnv, waitForHost } from '../controller/support.js';
import { API_TOKEN, postJson, startHttpControllerIn, type HttpController } from './support.js';

const env = useControllerEnv({ count: 1, name: 'http-live-cap' });
let ctl: HttpController;
let browser: Browser | undefined;
/** Every stream this file opened that the server accepted, closed in afterAll. */
const streams = new Set<IncomingMessage>();

/** A GET /live answer: an accepted stream (kept open, what it sends read and dropped) or a refusal with its body. */
interface LiveAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** GET /live with the API token, each on a connection of its own (no agent: nothing is pooled or queued). */
function openLive(): Promise<LiveAnswer> {
  return new Promise((resolve, reject) => {
    const request = get(`${ctl.url}/live`, { agent: false, headers: { authorization: `Bearer ${API_TOKEN}` } }, (res) => {
      if (res.statusCode === 200) {
        expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        streams.add(res);
        res.on('close', () => streams.delete(res));
        res.resume();
        resolve({ status: 200, headers: res.headers, body: '' });
        return;
      }
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk; }).on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    request.on('error', reject);
  });
}

/** Closes an accepted stream from the client's side, as a closed tab does. */
function closeStream(stream: IncomingMessage): void {
  stream.destroy();
  streams.delete(stream);
}

beforeAll(async () => {
  await env.remote.commit({ 'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'one\n') }, 'one host');
  ctl = await startHttpControllerIn(env, { extra: { source: { url: env.remote.bare, branch: 'main', interval: '1h' } } });
  await waitForHost(ctl, 'web1', (r) => r.status === 'Synced', 'synced');
});

afterAll(async () => {
  for (const stream of streams) stream.destroy();
  await browser?.close();
});

describe(`GET /live beyond ${MAX_STREAMS} streams`, () => {
  it(`accepts ${MAX_STREAMS} streams at once and refuses the next with 503, Retry-After and what to do`, async () => {
    const answers = await Promise.all(Array.from({ length: MAX_STREAMS }, () => openLive()));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(MAX_STREAMS);
    const refused = await openLive();
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe(String(LIVE_RETRY_SECONDS));
    expect(refused.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(refused.body)).toEqual({ error: {
      code: 'E_TOO_MANY_STREAMS',
      message: `${MAX_STREAMS} live streams are open (one per status page tab); the page refreshes itself instead and asks again in ${LIVE_RETRY_SECONDS} s (Retry-After)`,
    } });
    expect(streams.size).toBe(MAX_STREAMS);
  });

  it('accepts a new stream once one closes, and refuses the one after it again', async () => {
    closeStream([...streams][0]!);
    // The server learns of the close when the socket's FIN arrives: ask until it has.
    await poll('a stream accepted after one closed', async () => ((await openLive()).status === 200 ? true : undefined), { timeoutMs: 10_000 });
    expect(streams.size).toBe(MAX_STREAMS);
    expect((await openLive()).status).toBe(503);
  });

  it('makes a page refused its stream refresh itself instead, and go live once a stream is free', async () => {
    browser = await launchChromium();
    const page: Page = await browser.context.newPage();
    await logIn(browser.context, page, ctl.url, API_TOKEN);
    await page.waitForFunction(() => /live updates refused/.test(document.getElementById('follow')?.textContent ?? ''), undefined, { timeout: 10_000, polling: 100 });
    expect(await page.locator('#follow').innerText()).toBe(', refreshes every 5s (live updates refused)');
    await page.evaluate(() => void ((window as unknown as { mark?: number }).mark = 1));
    // A change shows by the page's own refresh, without a reload.
    expect((await postJson(`${ctl.url}/api/v1/hosts/web1/suspend`, {})).status).toBe(200);
    await page.waitForFunction(() => document.querySelector('tr[data-host="web1"] .badge')?.textContent === 'Suspended', undefined, { timeout: 15_000, polling: 100 });
    // A free stream: the page takes it when it asks again (after Retry-After), and follows changes live.
    closeStream([...streams][0]!);
    await page.waitForFunction(() => document.getElementById('follow')?.textContent === ', live', undefined, { timeout: (LIVE_RETRY_SECONDS + 10) * 1000, polling: 100 });
    expect((await openLive()).status).toBe(503);
    expect((await postJson(`${ctl.url}/api/v1/hosts/web1/resume`, {})).status).toBe(200);
    await page.waitForFunction(() => document.querySelector('tr[data-host="web1"] .badge')?.textContent !== 'Suspended', undefined, { timeout: 15_000, polling: 100 });
    expect(await page.evaluate(() => (window as unknown as { mark?: number }).mark)).toBe(1);
  });
});
