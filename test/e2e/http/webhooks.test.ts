/**
 * Webhooks against a real controller that does not poll (interval 1h): a validly signed push to the
 * followed branch makes a fresh commit converge on real hosts; a badly signed one changes nothing;
 * pings and pushes to other branches answer 202 `ignored` with the reason; GitLab's token and the
 * generic signature trigger a fetch too; /metrics on the same listener counts each call.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sshRun } from '../../support/ssh.js';
import { controllerRecord, hostFile, revisionOf, waitForHost, useControllerEnv } from '../controller/support.js';
import { WEBHOOK_SECRET, digestTree, githubPush, request, signature, startHttpControllerIn, type HttpController } from './support.js';

const env = useControllerEnv({ count: 2, name: 'http-hooks' });
let ctl: HttpController;

beforeAll(async () => {
  await env.remote.commit({ 'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'one\n'), 'hosts/web2.yaml': hostFile(env.fleet.hosts[1]!, 'one\n') });
  ctl = await startHttpControllerIn(env, { extra: { source: { url: env.remote.bare, branch: 'main', interval: '1h' } } });
  for (const name of ['web1', 'web2']) await waitForHost(ctl, name, (r) => r.status === 'Synced', 'synced');
});

const newest = async (): Promise<string | undefined> => (await controllerRecord(ctl.stateDir))?.newestRevision;

describe('webhooks', () => {
  it('refuses a badly signed push of a fresh commit and changes nothing', async () => {
    const fetchedBefore = await newest();
    await env.remote.commit({ 'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'two\n') }, 'pushed, bad webhook');
    const before = await digestTree(ctl.stateDir);
    const answer = await githubPush(ctl.url, 'refs/heads/main', 'not-the-secret');
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error: { code: 'E_WEBHOOK_SIGNATURE', message: expect.stringMatching(/does not match.*nothing was triggered/) } });
    // A ping is answered after the refused push: by then a fetch it had started would have been logged.
    const ping = await request(`${ctl.url}/hooks/github`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-hub-signature-256': signature('{}') }, body: '{}' });
    expect(ping.status).toBe(202);
    expect(ping.json).toEqual({ ignored: true, reason: expect.stringMatching(/^ping event/) });
    expect(await digestTree(ctl.stateDir)).toEqual(before);
    expect(await newest()).toBe(fetchedBefore);
    expect(ctl.events.filter((e) => e.msg.includes('fetching the source'))).toEqual([]);
  });

  it('ignores a push to another branch, saying why', async () => {
    const answer = await githubPush(ctl.url, 'refs/heads/feature');
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ ignored: true, reason: 'push to refs/heads/feature, the controller follows refs/heads/main' });
    const other = await request(`${ctl.url}/hooks/github`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-hub-signature-256': signature('{}') }, body: '{}' });
    expect(other.json).toEqual({ ignored: true, reason: 'issues event is not a push' });
    // GitHub's form encoding: the signature covers the raw form body, the JSON is in `payload`.
    const form = `payload=${encodeURIComponent(JSON.stringify({ ref: 'refs/heads/other' }))}`;
    const encoded = await request(`${ctl.url}/hooks/github`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-github-event': 'push', 'x-hub-signature-256': signature(form) }, body: form });
    expect(encoded.json).toEqual({ ignored: true, reason: 'push to refs/heads/other, the controller follows refs/heads/main' });
  });

  it('converges a fresh commit after a validly signed GitHub push', async () => {
    const commit = await env.remote.commit({ 'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'three\n') }, 'pushed, good webhook');
    const answer = await githubPush(ctl.url, 'refs/heads/main');
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ ignored: false, fetch: 'triggered', ref: 'refs/heads/main' });
    const web1 = await waitForHost(ctl, 'web1', (r) => r.lastAppliedRevision === revisionOf(commit) && r.status === 'Synced', 'converged to the pushed commit');
    expect(web1.history[0]).toMatchObject({ trigger: 'revision', result: 'applied', revision: revisionOf(commit) });
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('three\n');
  });

  it('fetches on a GitLab push with the right token and on a signed generic hook', async () => {
    const gitlabCommit = await env.remote.commit({ 'hosts/web2.yaml': hostFile(env.fleet.hosts[1]!, 'gitlab\n') }, 'gitlab');
    const body = JSON.stringify({ object_kind: 'push', ref: 'refs/heads/main' });
    const gitlab = await request(`${ctl.url}/hooks/gitlab`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': WEBHOOK_SECRET }, body });
    expect(gitlab.status).toBe(202);
    await waitForHost(ctl, 'web2', (r) => r.lastAppliedRevision === revisionOf(gitlabCommit), 'converged after the GitLab hook');

    const genericCommit = await env.remote.commit({ 'hosts/web2.yaml': hostFile(env.fleet.hosts[1]!, 'generic\n') }, 'generic');
    const generic = await request(`${ctl.url}/hooks/generic`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signature('{}') }, body: '{}' });
    expect(generic.json).toEqual({ ignored: false, fetch: 'triggered' });
    await waitForHost(ctl, 'web2', (r) => r.lastAppliedRevision === revisionOf(genericCommit), 'converged after the generic hook');
    expect(await sshRun(env.fleet, 'host2', 'cat /srv/ctl/managed.txt')).toBe('generic\n');
  });

  it('counts each webhook by provider and outcome in /metrics on the API listener', async () => {
    const metrics = await request(`${ctl.url}/metrics`);
    expect(metrics.status).toBe(200);
    const count = (provider: string, result: string): number =>
      Number(new RegExp(`^drover_webhook_requests_total\\{provider="${provider}",result="${result}"\\} (\\d+)$`, 'm').exec(metrics.text)?.[1]);
    expect(count('github', 'unauthorized')).toBe(1);
    expect(count('github', 'ignored')).toBe(4);
    expect(count('github', 'accepted')).toBe(1);
    expect(count('gitlab', 'accepted')).toBe(1);
    expect(count('generic', 'accepted')).toBe(1);
  });
});
