/**
 * "Resume rollout" on the status page, in Chromium against a real controller, real fleet hosts and a real
 * Git remote: a commit whose canary fails its check (a host-side cause: a file the check refuses) halts
 * the rollout; the page shows it live, with the reason, to every viewer and the button to an admin only
 * (a read-only token is refused the action anyway). The operator fixes the canary on the host: its retry
 * passes, yet the rollout stays halted until resumed by hand. Pressing the button resumes it: the next
 * wave applies, seen on the page without a reload and in GET /api/v1/status, and the event log records
 * who resumed it. Leaves a screenshot in test/artifacts/status-page-rollout-halted.png.
 */
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Page } from 'playwright-core';
import type { RolloutView } from '../../../controller/daemon/rollouts/rollouts.js';
import { ROOT } from '../../support/paths.js';
import { launchChromium, logIn as logInAs, type Browser } from '../../support/browser.js';
import { sshRun } from '../../support/ssh.js';
import { revisionOf, waitForHost, useControllerEnv } from '../controller/support.js';
import { hostFiles, hostNames, repoFiles } from '../rollouts/support.js';
import { githubPush, request, startHttpControllerIn, type HttpController } from './support.js';

const env = useControllerEnv({ count: 3, name: 'http-rollout' });
const names = hostNames(3);
const later = ['h02', 'h03'];
const READ_TOKEN = 'read-only-token-0123456789abcdef';
const ONCALL_TOKEN = 'oncall-admin-token-0123456789abcdef';
/** What the canary's check refuses: a file only the host has (not managed by drover). */
const NOT_READY = '/srv/not-ready';
let ctl: HttpController;
let browser: Browser;
let page: Page;
let first: string;
let second: string;

const fileOn = (name: string): Promise<string> => sshRun(env.fleet, `host${Number(name.slice(1))}`, 'cat /srv/ctl/managed.txt');
const rollouts = async (): Promise<RolloutView[]> => ((await request(`${ctl.url}/api/v1/status`, { token: true })).json as { rollouts: RolloutView[] }).rollouts;
const short = (commit: string): string => `main@${commit.slice(0, 7)}`;
const mark = (): Promise<void> => page.evaluate(() => void ((window as unknown as { mark?: number }).mark = 1));
const marked = (): Promise<boolean> => page.evaluate(() => (window as unknown as { mark?: number }).mark === 1);
const commitCell = async (host: string): Promise<string | undefined> => (await page.locator(`tr[data-host="${host}"] td`).allInnerTexts())[2];

beforeAll(async () => {
  first = await env.remote.commit({ ...repoFiles({ canary: ['h01'], drover: { rollout: { waves: [{ group: 'canary' }] } } }), ...hostFiles(env.fleet.hosts, 'good v1\n') }, 'first');
  await writeFile(join(env.dir, 'read-token'), `${READ_TOKEN}\n`, { mode: 0o600 });
  await writeFile(join(env.dir, 'oncall-token'), `${ONCALL_TOKEN}\n`, { mode: 0o600 });
  ctl = await startHttpControllerIn(env, {
    extra: {
      source: { url: env.remote.bare, branch: 'main', interval: '1h' },
      apiTokens: [{ name: 'dashboard', file: 'read-token', role: 'read' }, { name: 'oncall', file: 'oncall-token', role: 'admin' }],
    },
  });
  for (const n of names) await waitForHost(ctl, n, (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(first), 'synced at the first commit');
  browser = await launchChromium();
  page = await browser.context.newPage();
});

afterAll(async () => {
  await browser?.close();
});

async function logIn(token: string): Promise<void> {
  expect(await logInAs(browser.context, page, ctl.url, token)).toBe('/');
}

describe('a halted rollout on the console', () => {
  it('shows the halt live, with its reason, and "Resume rollout" to an admin', async () => {
    await logIn(ONCALL_TOKEN);
    expect(await page.locator('button:text-is("Resume rollout")').count()).toBe(0);
    await mark();
    await sshRun(env.fleet, 'host1', `touch ${NOT_READY}`);
    const check = { tests: [{ name: 'good', command: `grep -q good /srv/ctl/managed.txt && test ! -e ${NOT_READY}` }] };
    second = await env.remote.commit({ 'roles/check.yaml': stringify(check), ...hostFiles(env.fleet.hosts, 'good v2\n') }, 'second');
    expect((await githubPush(ctl.url, 'refs/heads/main')).status).toBe(202);
    await page.waitForFunction(() => document.querySelector('#fleet-actions button[name="resume-rollout"]')?.textContent === 'Resume rollout', undefined, { timeout: 60_000, polling: 100 });
    expect(await marked()).toBe(true);
    expect(await page.locator('#fleet-actions [data-lane="default"]').innerText()).toBe(
      'Rollout default halted at wave canary: wave canary (1/2): 1 of 1 hosts failed, budget 0: h01 (E_STEP_FAILED at test_check_good)');
    expect(await page.locator('button[name="resume-rollout"]').getAttribute('value')).toBe('default');
    for (const n of later) {
      expect(await page.locator(`tr[data-host="${n}"] .blocked`).getAttribute('data-kind')).toBe('wave');
      expect(await page.locator(`tr[data-host="${n}"] .blocked`).innerText()).toBe(`blocked by wave: rollout of ${revisionOf(second)} halted at wave 1; lane default`);
      expect(await fileOn(n)).toBe('good v1\n');
    }
    expect(await rollouts()).toEqual([expect.objectContaining({ lane: 'default', revision: revisionOf(second), phase: 'Halted', wave: 1, halted: expect.objectContaining({ wave: 'canary' }) })]);
    await mkdir(join(ROOT, 'test/artifacts'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test/artifacts/status-page-rollout-halted.png'), fullPage: true });
  });

  it('shows a read-only token the halt but no button, and refuses it the resume', async () => {
    await logIn(READ_TOKEN);
    expect(await page.locator('#fleet-actions [data-lane="default"]').innerText()).toMatch(/^Rollout default halted at wave canary: /);
    expect(await page.locator('main button').allInnerTexts()).toEqual(['Filter']);
    const refused = await page.request.post(`${ctl.url}/actions`, { form: { 'resume-rollout': 'default' }, headers: { accept: 'application/json' }, maxRedirects: 0 });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).error).toMatchObject({ code: 'E_FORBIDDEN', message: expect.stringContaining('token "dashboard" has role read; POST /actions (resume-rollout) needs admin') });
    expect(await rollouts()).toEqual([expect.objectContaining({ phase: 'Halted' })]);
  });

  it('stays halted once the canary is fixed on its host, until an admin presses "Resume rollout": the next wave applies, live', async () => {
    // The operator removes the cause on the canary: its next retry passes its check.
    await sshRun(env.fleet, 'host1', `rm ${NOT_READY}`);
    await waitForHost(ctl, 'h01', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(second), 'synced at the second commit once fixed');
    expect(await rollouts()).toEqual([expect.objectContaining({ phase: 'Halted' })]);
    for (const n of later) expect(await fileOn(n)).toBe('good v1\n');
    await logIn(ONCALL_TOKEN);
    await mark();
    await page.click('button:text-is("Resume rollout")');
    await page.waitForFunction(() => document.getElementById('notice')?.textContent === 'Rollout resumed (default).', undefined, { timeout: 30_000, polling: 100 });
    // The next wave's hosts apply the commit; the page follows without a reload.
    await page.waitForFunction((hosts) => hosts.every((h) => document.querySelector(`tr[data-host="${h}"] .badge`)?.textContent === 'Synced'), later, { timeout: 60_000, polling: 100 });
    expect(await marked()).toBe(true);
    for (const n of later) expect(await commitCell(n)).toBe(short(second));
    expect(await page.locator('#fleet-actions [data-lane]').count()).toBe(0);
    expect(await page.locator('button:text-is("Resume rollout")').count()).toBe(0);
    for (const n of later) expect(await fileOn(n)).toBe('good v2\n');
    const [view] = await rollouts();
    expect(view).toMatchObject({ lane: 'default', revision: revisionOf(second), phase: 'Completed', wave: 2 });
    expect(view!.halted).toBeUndefined();
    // Who resumed it, in the event log, and the controller's own log line.
    const { events } = (await request(`${ctl.url}/api/v1/events?type=rollout.*`, { token: true })).json as { events: { type: string; revision: string; lane: string; wave: string; actor?: string }[] };
    expect(events.filter((e) => e.revision === revisionOf(second)).map(({ type, lane, wave, actor }) => ({ type, lane, wave, actor }))).toEqual([
      { type: 'rollout.halted', lane: 'default', wave: 'canary', actor: undefined },
      { type: 'rollout.resumed', lane: 'default', wave: 'rest', actor: 'oncall' },
    ]);
    expect(ctl.events.some((e) => e.msg === 'rollout resumed by hand at wave rest' && e.lane === 'default')).toBe(true);
  });
});
