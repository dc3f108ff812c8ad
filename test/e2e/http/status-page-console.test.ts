/**
 * The status page as a console, in a real browser (Debian's Chromium via playwright-core) against a real
 * controller, real fleet hosts and a real Git remote: log in and see the commits (subject, author, time;
 * a hostile subject shown as text), press "Sync" and "Dry run" on a host and see each run appear without
 * a reload (server-sent events), suspend and resume; a newer rejected commit shows as the newest with
 * the hosts one commit behind, live. A read-only token sees no button and is refused the action
 * anyway; a forged POST without the CSRF token is refused (403) and does nothing. Leaves screenshots in
 * test/artifacts/status-page-console-fleet.png and status-page-console-host.png.
 */
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from '../../support/paths.js';
import { launchChromium, logIn as logInAs, type Browser } from '../../support/browser.js';
import { hostFile, waitForHost, useControllerEnv } from '../controller/support.js';
import { API_TOKEN, githubPush, request, startHttpControllerIn, type HttpController } from './support.js';

const env = useControllerEnv({ count: 2, name: 'http-console' });
const READ_TOKEN = 'read-only-token-0123456789abcdef';
const SUBJECT = 'Serve <b>one</b> on every web host';
let ctl: HttpController;
let browser: Browser;
let page: Page;
const requested: string[] = [];

beforeAll(async () => {
  await env.remote.commit({ 'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'one\n'), 'hosts/web2.yaml': hostFile(env.fleet.hosts[1]!, 'one\n') }, SUBJECT);
  await writeFile(join(env.dir, 'read-token'), `${READ_TOKEN}\n`, { mode: 0o600 });
  ctl = await startHttpControllerIn(env, {
    extra: { source: { url: env.remote.bare, branch: 'main', interval: '1h' }, apiTokens: [{ name: 'dashboard', file: 'read-token', role: 'read' }] },
  });
  await waitForHost(ctl, 'web1', (r) => r.status === 'Synced', 'synced');
  await waitForHost(ctl, 'web2', (r) => r.status === 'Synced', 'synced');
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('request', (r) => requested.push(r.url()));
});

afterAll(async () => {
  await browser?.close();
});

async function logIn(token: string): Promise<void> {
  expect(await logInAs(browser.context, page, ctl.url, token)).toBe('/');
}

/** Marks the document: the mark survives only as long as the page is not reloaded. */
const mark = (): Promise<void> => page.evaluate(() => void ((window as unknown as { mark?: number }).mark = 1));
const marked = (): Promise<boolean> => page.evaluate(() => (window as unknown as { mark?: number }).mark === 1);
const historyRows = (): Promise<string[]> => page.locator('#history tbody tr').allInnerTexts();
const events = async (type: string): Promise<{ actor?: string }[]> =>
  ((await request(`${ctl.url}/api/v1/events?type=${type}`, { token: true })).json as { events: { actor?: string }[] }).events;

describe('the console', () => {
  it('logs in and shows the commit: subject, author and time, per host its commit and that it is on the newest', async () => {
    await logIn(API_TOKEN);
    const cookies = await browser.context.cookies(ctl.url);
    expect(cookies[0]).toMatchObject({ name: 'drover_session', httpOnly: true, sameSite: 'Strict' });
    expect(await page.locator('#last-good .subject').innerText()).toBe(SUBJECT);
    expect(await page.locator('#last-good .subject b').count()).toBe(0);
    expect(await page.locator('#last-good').innerText()).toMatch(/^Last good main@[0-9a-f]{7} Serve <b>one<\/b> on every web host by Test, \d+[sm] ago$/);
    expect(await page.locator('#newest .subject').innerText()).toBe(SUBJECT);
    expect((await page.locator('tr[data-host="web1"] td').allInnerTexts())[2]).toMatch(/^main@[0-9a-f]{7}$/);
    await page.click('#revision-view summary');
    expect(await page.locator('#revisions tbody tr').allInnerTexts()).toEqual([expect.stringMatching(/^main@[0-9a-f]{7} Serve <b>one<\/b> on every web host by Test, \d+[sm] ago\tnewest\t2 hosts$/)]);
    expect(await page.locator('tr[data-host="web1"] button').allInnerTexts()).toEqual(['Sync', 'Dry run', 'Suspend']);
    expect(await page.locator('button', { hasText: 'Sync all' }).count()).toBe(1);
    await mkdir(join(ROOT, 'test/artifacts'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test/artifacts/status-page-console-fleet.png'), fullPage: true });
  });

  it('runs a sync of a host from its page and shows the run without a reload', async () => {
    await page.click('a[href="/hosts/web1"]');
    const before = (await historyRows()).length;
    await mark();
    await page.click('#host-actions button:text-is("Sync")');
    await page.waitForFunction((n) => document.querySelectorAll('#history tbody tr').length > n && !/running/.test(document.querySelector('#history tbody tr')!.textContent!), before, { timeout: 60_000, polling: 100 });
    expect(await marked()).toBe(true);
    expect(await page.locator('#notice').innerText()).toMatch(/^Sync of web1 queued \(run \S+\)\.$/);
    expect((await historyRows())[0]).toMatch(/^\S+\tmanual\tmain@[0-9a-f]{7} Serve <b>one<\/b> on every web host\t(in-sync|applied)\t/);
    expect((await events('sync.requested')).at(-1)?.actor).toBe('apiToken');
  });

  it('runs a dry run and shows it without a reload', async () => {
    const before = (await historyRows()).length;
    await page.click('#host-actions button:text-is("Dry run")');
    await page.waitForFunction((n) => document.querySelectorAll('#history tbody tr').length > n && !/running/.test(document.querySelector('#history tbody tr')!.textContent!), before, { timeout: 60_000, polling: 100 });
    expect(await marked()).toBe(true);
    expect((await historyRows())[0]).toMatch(/^\S+\tmanual \(dry run\)\tmain@[0-9a-f]{7} .*\tin-sync\t/);
    // The event log's entries about the host are on its page.
    expect(await page.locator('#events tbody tr[data-type="run.finished"]').count()).toBeGreaterThanOrEqual(2);
  });

  it('suspends and resumes the host', async () => {
    await page.click('#host-actions button:text-is("Suspend")');
    await page.waitForFunction(() => document.querySelector('#host-name .badge')?.textContent === 'Suspended', undefined, { timeout: 30_000, polling: 100 });
    expect(await page.locator('#host-actions button').allInnerTexts()).toEqual(['Resume']);
    await page.screenshot({ path: join(ROOT, 'test/artifacts/status-page-console-host.png'), fullPage: true });
    await page.click('#host-actions button:text-is("Resume")');
    await page.waitForFunction(() => document.querySelector('#host-name .badge')?.textContent === 'Synced' && document.querySelectorAll('#host-actions button').length === 3, undefined, { timeout: 60_000, polling: 100 });
    expect(await marked()).toBe(true);
    expect(await page.locator('#events').innerText()).toMatch(/host\.resumed\tresumed by apiToken[\s\S]*host\.suspended\tsuspended by apiToken/);
  });

  it('shows a newer rejected commit as the newest, and the hosts one commit behind, live', async () => {
    await page.goto(ctl.url);
    await page.keyboard.press('Tab');
    await page.focus('#revision-view summary');
    await page.keyboard.press('Enter');
    await mark();
    await env.remote.commit({ 'hosts/web1.yaml': 'address: [not, valid\n' }, 'Break the inventory');
    expect((await githubPush(ctl.url, 'refs/heads/main')).status).toBe(202);
    await page.waitForFunction(() => document.querySelector('#newest .subject')?.textContent === 'Break the inventory', undefined, { timeout: 30_000, polling: 100 });
    expect(await marked()).toBe(true);
    expect(await page.locator('#last-good .subject').innerText()).toBe(SUBJECT);
    expect((await page.locator('tr[data-host="web2"] td').allInnerTexts())[2]).toMatch(/^main@[0-9a-f]{7} 1 behind$/);
    // The revision view opened before the update stays open, and says so too.
    expect(await page.locator('#revisions tbody tr').allInnerTexts()).toEqual([expect.stringMatching(/^main@[0-9a-f]{7} Serve <b>one<\/b> on every web host by Test, \d+[sm] ago\t1 behind\t2 hosts$/)]);
    expect(await page.locator('#rejected').innerText()).toContain('hosts/web1.yaml');
  });

  it('syncs every host with "Sync all"', async () => {
    await page.click('button:text-is("Sync all")');
    await page.waitForFunction(() => /^Sync of every host queued/.test(document.getElementById('notice')!.textContent!), undefined, { timeout: 30_000, polling: 100 });
    expect(await marked()).toBe(true);
    const all = ((await request(`${ctl.url}/api/v1/events?type=sync.requested`, { token: true })).json as { events: { hostCount: number; actor?: string }[] }).events.at(-1);
    expect(all).toMatchObject({ hostCount: 2, actor: 'apiToken' });
  });

  it('refuses a forged POST without the CSRF token (403) and does nothing', async () => {
    const syncs = (await events('sync.requested')).length;
    const forged = await page.request.post(`${ctl.url}/actions`, { form: { sync: 'web1' }, headers: { accept: 'application/json' }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    expect((await forged.json()).error.code).toBe('E_CSRF');
    const wrong = await page.request.post(`${ctl.url}/actions`, { form: { suspend: 'web1', csrf: 'x'.repeat(43) }, maxRedirects: 0 });
    expect(wrong.status()).toBe(403);
    expect(await wrong.text()).toContain('E_CSRF');
    expect((await events('sync.requested')).length).toBe(syncs);
    expect((await request(`${ctl.url}/api/v1/hosts/web1`, { token: true })).json).toMatchObject({ suspended: false });
  });

  it('shows a read-only token no button, and refuses it the action anyway', async () => {
    await logIn(READ_TOKEN);
    expect(await page.locator('header .viewer').innerText()).toBe('dashboard (read)');
    expect(await page.locator('main button').allInnerTexts()).toEqual(['Filter']);
    expect(await page.locator('input[name=csrf]').count()).toBe(0);
    await page.goto(`${ctl.url}/hosts/web2`);
    expect(await page.locator('main button').count()).toBe(0);
    const refused = await page.request.post(`${ctl.url}/actions`, { form: { sync: 'web2' }, headers: { accept: 'application/json' }, maxRedirects: 0 });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).error).toMatchObject({ code: 'E_FORBIDDEN', message: expect.stringContaining('token "dashboard" has role read') });
  });

  it('filters by status and text, usable from the keyboard, and fits a phone', async () => {
    await page.setViewportSize({ width: 375, height: 700 });
    await page.goto(ctl.url);
    await page.focus('input[name=q]');
    await page.keyboard.type('web2');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=web2/);
    expect(await page.locator('#hosts tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-host')))).toEqual(['web2']);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.setViewportSize({ width: 1200, height: 800 });
  });

  it('loaded nothing from anywhere but the controller', () => {
    const origin = new URL(ctl.url).origin;
    expect(requested.filter((u) => new URL(u).origin !== origin)).toEqual([]);
  });
});
