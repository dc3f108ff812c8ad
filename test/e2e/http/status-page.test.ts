/**
 * The status page in a real browser (Debian's Chromium via playwright-core) against a real
 * controller, real fleet hosts and a real Git remote: the login form (wrong token refused, cookie
 * HttpOnly and SameSite=Strict), the fleet at a glance (coloured statuses, revision, last run,
 * drift), a host's page (last plan with diffs, a secret masked in page and API, history, last error
 * with hostile text shown as text), the page
 * following the fleet by itself, and no request leaving the controller's origin. Leaves a
 * screenshot in test/artifacts/status-page.png.
 */
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { stringify } from 'yaml';
import { ROOT } from '../../support/paths.js';
import { launchChromium, type Browser } from '../../support/browser.js';
import { sshRun } from '../../support/ssh.js';
import { hostFile, waitForHost, useControllerEnv } from '../controller/support.js';
import { API_TOKEN, postJson, request, startHttpControllerIn, type HttpController } from './support.js';

const env = useControllerEnv({ count: 3, name: 'http-page' });
let ctl: HttpController;
let browser: Browser;
let page: Page;
const requested: string[] = [];
let secretValue = '';
const HOSTILE = '<script>window.pwned=1</script><b>bold</b>';

beforeAll(async () => {
  const failing = stringify({
    address: env.fleet.hosts[2]!.address,
    resources: [{ kind: 'command', name: 'breaks', run: `echo '${HOSTILE}' >&2; exit 3`, always: true }],
  });
  // web2 also gets a generated secret inside a config file: its diffs must never show the value.
  const app = stringify({
    resources: [
      { kind: 'secret', name: 'app_key', length: 32, charset: 'alnum' },
      { kind: 'file', path: '/srv/ctl/app.conf', template: 'app.conf', dependsOn: ['secret:app_key'] },
    ],
  });
  await env.remote.commit({
    'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'one\n'), 'hosts/web2.yaml': hostFile(env.fleet.hosts[1]!, 'one\n', { roles: ['app'] }), 'hosts/web3.yaml': failing,
    'roles/app.yaml': app, 'templates/app/default/app.conf': "key={{ secret('app_key') }}\nmode=one\n",
  });
  ctl = await startHttpControllerIn(env, {
    extra: { source: { url: env.remote.bare, branch: 'main', interval: '1h' }, retry: { baseSeconds: 600, maxSeconds: 600 } },
  });
  await waitForHost(ctl, 'web1', (r) => r.status === 'Synced', 'synced');
  await waitForHost(ctl, 'web3', (r) => r.status === 'Failed', 'failed');
  await waitForHost(ctl, 'web2', (r) => r.status === 'Synced', 'synced');
  // web2 drifts by hand; a dry run finds it (the controller only reports drift: selfHeal is off).
  await sshRun(env.fleet, 'host2', 'echo edited > /srv/ctl/managed.txt; sed -i s/mode=one/mode=edited/ /srv/ctl/app.conf');
  secretValue = (await sshRun(env.fleet, 'host2', 'head -n1 /var/lib/drover/secrets/app_key')).trim();
  expect(secretValue).toMatch(/^[A-Za-z0-9]{32}$/);
  expect((await postJson(`${ctl.url}/api/v1/sync`, { hosts: ['web2'], dryRun: true })).status).toBe(202);
  await waitForHost(ctl, 'web2', (r) => r.status === 'OutOfSync' && r.lastPlan?.inSync === false, 'drift found');
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('request', (r) => requested.push(r.url()));
});

afterAll(async () => {
  await browser?.close();
});

const rowText = (host: string): Promise<string[]> => page.locator(`tr[data-host="${host}"] td`).allInnerTexts();
const badgeColour = (host: string): Promise<string> => page.locator(`tr[data-host="${host}"] .badge`).evaluate((e) => getComputedStyle(e).backgroundColor);

describe('the status page', () => {
  it('asks for the token, refuses a wrong one, and logs in with a strict HttpOnly cookie', async () => {
    await page.goto(ctl.url);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('input[name=token]', 'wrong-token');
    await page.click('form[action="/login"] button');
    expect(await page.locator('#login-error').innerText()).toBe('That is not the API token.');
    await page.fill('input[name=token]', API_TOKEN);
    await page.click('form[action="/login"] button');
    expect(new URL(page.url()).pathname).toBe('/');
    const cookies = await browser.context.cookies(ctl.url);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'drover_session', httpOnly: true, sameSite: 'Strict' });
    expect(cookies[0]!.value).not.toContain(API_TOKEN);
  });

  it('shows the fleet at a glance: coloured status, revision, last run, drift', async () => {
    expect(await page.title()).toBe('Fleet · drover');
    expect(await page.locator('#hosts tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-host')))).toEqual(['web1', 'web2', 'web3']);
    const [web1, web2, web3] = [await rowText('web1'), await rowText('web2'), await rowText('web3')];
    expect(web1.slice(0, 2)).toEqual(['web1', 'Synced']);
    expect(web1[2]).toMatch(/^main@[0-9a-f]{7}$/);
    expect(web1[3]).toMatch(/^\d+[smhd] ago$/);
    expect(web2.slice(0, 2)).toEqual(['web2', 'OutOfSync']);
    expect(web2[4]).toBe('2');
    expect(web3.slice(0, 2)).toEqual(['web3', 'Failed']);
    expect(await badgeColour('web1')).toBe('rgb(26, 127, 55)');
    expect(await badgeColour('web2')).toBe('rgb(154, 103, 0)');
    expect(await badgeColour('web3')).toBe('rgb(207, 34, 46)');
    expect(await page.locator('#source').innerText()).toContain(env.remote.bare);
    await mkdir(join(ROOT, 'test/artifacts'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test/artifacts/status-page.png'), fullPage: true });
  });

  it("shows a host's last plan and history", async () => {
    await page.click('a[href="/hosts/web2"]');
    expect(await page.locator('#host-name').innerText()).toBe('web2 OutOfSync');
    const plan = await page.locator('#plan').innerText();
    expect(plan).toMatch(/drift/);
    expect(plan).toMatch(/regen_\S*managed_txt\s+update/);
    // The diff a dry run found, as drover plan shows it, removed lines in red and added in green.
    const diffs = page.locator('#plan pre.diff');
    expect(await diffs.count()).toBe(2);
    const texts = (await diffs.allInnerTexts()).map((t) => t.split('\n'));
    expect(texts).toContainEqual(['--- /srv/ctl/managed.txt (host)', '+++ /srv/ctl/managed.txt (desired)', '@@ -1,1 +1,1 @@', '-edited', '+one']);
    expect(texts).toContainEqual(['--- /srv/ctl/app.conf (host)', '+++ /srv/ctl/app.conf (desired)', '@@ -1,2 +1,2 @@', ' key=(secret)', '-mode=edited', '+mode=one']);
    expect(await page.content()).not.toContain(secretValue);
    const api = await request(`${ctl.url}/api/v1/hosts/web2`, { token: true });
    expect(api.text).toContain('key=(secret)');
    expect(api.text).not.toContain(secretValue);
    const diff = diffs.first();
    expect(await diff.locator('span.del').evaluate((e) => getComputedStyle(e).color)).toBe('rgb(207, 34, 46)');
    expect(await diff.locator('span.add').evaluate((e) => getComputedStyle(e).color)).toBe('rgb(26, 127, 55)');
    const history = await page.locator('#history tbody tr').allInnerTexts();
    expect(history[0]).toMatch(/manual \(dry run\)\s+main@[0-9a-f]{7} change\s+drift/);
    expect(history.at(-1)).toMatch(/revision\s+main@[0-9a-f]{7} change\s+applied/);
  });

  it('shows hostile text from a host as text, never as markup', async () => {
    await page.goto(`${ctl.url}/hosts/web3`);
    const error = await page.locator('#last-error').innerText();
    expect(error).toContain(HOSTILE);
    expect(await page.locator('#last-error b').count()).toBe(1);  // our own <b> for the code, not the host's
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  });

  it('follows the fleet by itself', async () => {
    await page.goto(ctl.url);
    expect((await rowText('web2'))[1]).toBe('OutOfSync');
    expect((await postJson(`${ctl.url}/api/v1/sync`, { hosts: ['web2'] })).status).toBe(202);
    // No reload from the test: the page's own refresh brings the new status.
    await page.waitForFunction(() => document.querySelector('tr[data-host="web2"] .badge')?.textContent === 'Synced', undefined, { timeout: 30_000, polling: 200 });
    expect((await rowText('web2'))[4]).toBe('0');
  });

  it('loaded nothing from anywhere but the controller', () => {
    const origin = new URL(ctl.url).origin;
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((u) => new URL(u).origin !== origin)).toEqual([]);
  });
});
