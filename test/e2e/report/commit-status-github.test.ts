/**
 * Commit statuses and notifications from a real controller, a real fleet host and a real Git remote,
 * delivered to a local server answering as GitHub's status API and as two webhooks (json signed with
 * HMAC, slack): pending then success for a good commit, failure for a rejected one; with the forge down
 * the host still converges, the controller is killed (SIGKILL) with statuses undelivered, and once the
 * forge is back a restarted controller delivers them: nothing lost. Counted in /metrics; no token, URL
 * or secret in the log, the event log, the state directory or /metrics.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { controllerConfig, hostFile, revisionOf, startControllerProcess, useControllerEnv, waitForHost, type ControllerProcess } from '../controller/support.js';
import { request } from '../http/support.js';
import { startForgeRecorder, type ForgeRecorder } from './forge-recorder.js';

const FORGE_TOKEN = 'ghp_forge-token-0123456789abcdef';
const NOTIFY_SECRET = 'notify-secret-0123456789abcdef';
const PUBLIC_URL = 'https://drover.example.com';
const env = useControllerEnv({ count: 1, name: 'report-github' });
let forge: ForgeRecorder;

beforeAll(async () => {
  forge = await startForgeRecorder({ provider: 'github', token: FORGE_TOKEN, repository: 'ops/fleet', context: 'drover' }, { notifySecret: NOTIFY_SECRET });
  env.onTeardown(() => forge.close());
  await writeFile(join(env.dir, 'forge-token'), `${FORGE_TOKEN}\n`, { mode: 0o600 });
  await writeFile(join(env.dir, 'notify-secret'), `${NOTIFY_SECRET}\n`, { mode: 0o600 });
  await writeFile(join(env.dir, 'slack-url'), `${forge.url}/notify/slack\n`, { mode: 0o600 });
});

async function start(): Promise<{ ctl: ControllerProcess; url: string }> {
  const config = controllerConfig({
    remote: env.remote, fleet: env.fleet, stateDir: env.stateDir,
    extra: {
      publicUrl: PUBLIC_URL,
      commitStatus: { provider: 'github', apiUrl: forge.apiUrl, repository: 'ops/fleet', tokenFile: join(env.dir, 'forge-token') },
      notifications: [
        { name: 'signed', url: `${forge.url}/notify/signed`, format: 'json', secretFile: join(env.dir, 'notify-secret'), batchWindow: '300ms' },
        { name: 'chat', urlFile: join(env.dir, 'slack-url'), format: 'slack', batchWindow: '300ms' },
      ],
    },
  });
  const ctl = await startControllerProcess({ dir: env.dir, config, stateDir: env.stateDir });
  env.onTeardown(() => ctl.stop());
  const url = (await ctl.waitForEvent((e) => typeof e.url === 'string' && e.msg.startsWith('HTTP API listening'), 'the HTTP listener')).url as string;
  return { ctl, url };
}

const statesOf = (sha: string): string[] => forge.statuses.filter((s) => s.sha === sha).map((s) => s.state);

describe('commit statuses on GitHub, and notifications', () => {
  let ctl: ControllerProcess;
  let url: string;
  const logs: ControllerProcess[] = [];

  it('a good commit: pending, then success with the hosts counted; notified once per revision, signed', async () => {
    const good = await env.remote.commit({ 'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'one\n') }, 'good');
    ({ ctl, url } = await start());
    logs.push(ctl);
    await ctl.waitFor(async () => (statesOf(good).includes('success') ? true : undefined), 'success posted');
    expect(statesOf(good)).toEqual(['pending', 'success']);
    expect(forge.statuses.filter((s) => s.sha === good)).toEqual([
      { sha: good, state: 'pending', description: 'accepted; reconciling the hosts', context: 'drover', targetUrl: `${PUBLIC_URL}/` },
      { sha: good, state: 'success', description: '1/1 host synced', context: 'drover', targetUrl: `${PUBLIC_URL}/` },
    ]);
    const signed = await ctl.waitFor(async () => forge.notifications.find((n) => n.path === '/notify/signed' && n.body.includes('revision.finished')), 'the json notification');
    expect(JSON.parse(signed.body)).toMatchObject({ version: 1, revision: revisionOf(good), url: `${PUBLIC_URL}/`, omitted: 0 });
    // Batched per revision: the accepted and the verdict, nothing per run (run.finished is not notified by default).
    const sent = forge.notifications.filter((n) => n.path === '/notify/signed').flatMap((n) => (JSON.parse(n.body) as { events: { type: string; revision: string }[] }).events);
    expect(sent.map((e) => `${e.type} ${e.revision}`)).toEqual([`revision.accepted ${revisionOf(good)}`, `revision.finished ${revisionOf(good)}`]);
    await ctl.waitFor(async () => (forge.notifications.some((n) => n.path === '/notify/slack' && n.body.includes('success')) ? true : undefined), 'the slack message');
    const short = `main@${good.slice(0, 7)}`;
    const texts = forge.notifications.filter((n) => n.path === '/notify/slack').map((n) => (JSON.parse(n.body) as { text: string }).text);
    for (const text of texts) expect(text.split('\n')[0]).toBe(`*drover* \`${short}\``);
    expect(texts.join('\n').split('\n')).toEqual(expect.arrayContaining([`• revision ${short} accepted`, `• revision ${short} success: 1/1 host synced`, `<${PUBLIC_URL}/|status page>`]));
    expect(forge.problems).toEqual([]);
  });

  it('a rejected commit gets failure, naming its first problem', async () => {
    const bad = await env.remote.commit({ 'hosts/web1.yaml': `${hostFile(env.fleet.hosts[0]!, 'bad\n')}port: "twenty-two"\n` }, 'bad');
    await ctl.waitFor(async () => (statesOf(bad).length ? true : undefined), 'the rejected status');
    const posted = forge.statuses.filter((s) => s.sha === bad);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ state: 'failure' });
    expect(posted[0]!.description).toMatch(/^rejected, 1 problem: hosts\/web1\.yaml:\d+:\d+ port /);
    const events = await request(`${url}/api/v1/events?type=revision.rejected`);
    expect((events.json as { events: { commit: string; problemCount: number }[] }).events).toEqual([expect.objectContaining({ commit: bad, problemCount: 1 })]);
    expect(forge.problems).toEqual([]);
  });

  it('the forge down: the host converges all the same; killed, restarted with the forge up, nothing is lost', async () => {
    forge.down = true;
    const before = forge.received.length;
    const next = await env.remote.commit({ 'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'two\n') }, 'next');
    await waitForHost(ctl, 'web1', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(next), 'synced while the forge is down');
    // Reconciling did not wait for the forge: it converged with no status of this commit delivered.
    expect(statesOf(next)).toEqual([]);
    // Retried: a second failed attempt means the queue is on disk and the backoff runs.
    await ctl.waitFor(async () => (forge.received.slice(before).filter((r) => r.answered === 503 && !r.path.startsWith('/notify')).length >= 2 ? true : undefined), 'retries');
    const metrics = await request(`${url}/metrics`);
    expect(metrics.text).toMatch(/drover_commit_status_total\{result="failure"\} [1-9]/);
    ctl.child.kill('SIGKILL');
    await ctl.exited;

    forge.down = false;
    ({ ctl, url } = await start());
    logs.push(ctl);
    await ctl.waitFor(async () => (statesOf(next).includes('success') ? true : undefined), 'the late statuses');
    expect(statesOf(next)).toEqual(['pending', 'success']);
    await ctl.waitFor(async () => (forge.notifications.some((n) => n.path === '/notify/signed' && n.body.includes(next) && n.body.includes('revision.finished')) ? true : undefined), 'the late notification');
    const after = await request(`${url}/metrics`);
    expect(after.text).toMatch(/drover_commit_status_total\{result="success"\} [1-9]/);
    expect(after.text).toMatch(/drover_notifications_total\{target="signed",result="success"\} [1-9]/);
    expect(forge.problems).toEqual([]);

    // The event log survived the kill: every revision is in it, in order.
    const page = await request(`${url}/api/v1/events?type=revision.*`);
    const types = (page.json as { events: { type: string; commit: string }[] }).events.map((e) => `${e.type} ${e.commit}`);
    expect(types).toEqual(expect.arrayContaining([`revision.accepted ${next}`, `revision.finished ${next}`]));
    expect(types.filter((t) => t.startsWith('revision.rejected'))).toHaveLength(1);

    const everything = [JSON.stringify(logs.map((l) => l.events)), logs.map((l) => l.stderr()).join(''), page.text, after.text, await allFiles(env.stateDir)].join('\n');
    for (const secret of [FORGE_TOKEN, NOTIFY_SECRET, `${forge.url}/notify/slack`]) expect(everything).not.toContain(secret);
  });
});

async function allFiles(root: string): Promise<string> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && !e.parentPath.includes(`${root}/source`));
  return (await Promise.all(files.map((e) => readFile(join(e.parentPath, e.name), 'utf8').catch(() => '')))).join('\n');
}
