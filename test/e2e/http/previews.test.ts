/**
 * Previews through a real controller on real hosts: a branch pushed to the followed repository that
 * changes two of three hosts is previewed over the API (POST /api/v1/previews, GET .../ID, markdown)
 * and with `drover preview --wait`: exactly those hosts and steps, secrets masked, nothing applied,
 * the followed branch and every host record unchanged. An invalid branch gives file:line:col problems,
 * an unknown ref 404; a GitHub pull_request webhook previews the request's head commit.
 */
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { encryptSecret } from '../../../manifests/index.js';
import type { PreviewView } from '../../../controller/daemon/previews/types.js';
import { poll } from '../../support/poll.js';
import { sshRun } from '../../support/ssh.js';
import { runDrover } from '../../integration/cli/run-cli.js';
import { git } from '../../support/git-remote.js';
import { controllerRecord, hostFile, waitForHost, useControllerEnv } from '../controller/support.js';
import { digestTree, postJson, request, signature, startHttpControllerIn, type HttpController } from './support.js';

const SECRET = 'Pr3view-secret-Value';
const env = useControllerEnv({ count: 3, name: 'http-previews' });
let ctl: HttpController;
let featureCommit = '';

/** Commits `files` on a new branch `branch` of the remote (from main) and pushes it; main stays checked out. */
async function pushBranch(branch: string, files: Record<string, string>): Promise<string> {
  const work = env.remote.work;
  await git(work, 'checkout', '-q', '-b', branch, 'main');
  for (const [path, content] of Object.entries(files)) await writeFile(join(work, path), content);
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', branch);
  await git(work, 'push', '-q', 'origin', branch);
  const commit = (await git(work, 'rev-parse', 'HEAD')).trim();
  await git(work, 'checkout', '-q', 'main');
  return commit;
}

/** What a preview must not change: host records, the controller's revisions, the hosts' files, the remote's main. */
async function untouched(): Promise<string> {
  const record = await controllerRecord(ctl.stateDir);
  const hosts = await Promise.all(env.fleet.hosts.map((h) => sshRun(env.fleet, h.name, 'cat /srv/ctl/managed.txt; ls /srv/ctl')));
  const main = await git(env.remote.bare, 'rev-parse', 'refs/heads/main');
  return JSON.stringify([await digestTree(join(ctl.stateDir, 'hosts')), record?.newestRevision, record?.lastGoodRevision, hosts, main]);
}

async function finished(id: string): Promise<PreviewView> {
  return poll(`preview ${id} done`, async () => {
    const answer = await request(`${ctl.url}/api/v1/previews/${id}`, { token: true });
    const preview = answer.json as PreviewView;
    return preview.state === 'done' || preview.state === 'failed' ? preview : undefined;
  });
}

beforeAll(async () => {
  const identity = await generateIdentity();
  const keyFile = join(env.dir, 'controller.agekey');
  await writeFile(keyFile, `${identity}\n`, { mode: 0o600 });
  await mkdir(join(env.remote.work, 'secrets'), { recursive: true });
  await writeFile(join(env.remote.work, 'secrets/recipients.txt'), `${await identityToRecipient(identity)}\n`);
  await encryptSecret({ root: env.remote.work, name: 'db_password', value: SECRET });
  const files: Record<string, string> = {};
  env.fleet.hosts.forEach((h, i) => { files[`hosts/web${i + 1}.yaml`] = hostFile(h, 'one\n'); });
  await env.remote.commit(files, 'three hosts and a secret');
  ctl = await startHttpControllerIn(env, { extra: { ageIdentityFile: keyFile, source: { url: env.remote.bare, branch: 'main', interval: '1h' } } });
  for (const name of ['web1', 'web2', 'web3']) await waitForHost(ctl, name, (r) => r.status === 'Synced', 'synced');
  featureCommit = await pushBranch('feature', {
    'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'two\n'),
    'hosts/web2.yaml': stringify({
      address: env.fleet.hosts[1]!.address,
      resources: [
        { kind: 'directory', path: '/srv/ctl' },
        { kind: 'file', path: '/srv/ctl/managed.txt', content: 'one\n', mode: '0644' },
        { kind: 'secret', name: 'db_password' },
        { kind: 'file', path: '/srv/ctl/app.conf', content: "password={{ secret('db_password') }}\n" },
      ],
    }),
  });
  await pushBranch('broken', { 'hosts/web3.yaml': `${hostFile(env.fleet.hosts[2]!, 'one\n')}adress: nowhere\n` });
});

describe('previews through the controller', () => {
  it('previews a branch over the API: exactly the hosts and steps it changes, masked, nothing applied', async () => {
    const before = await untouched();
    const started = await postJson(`${ctl.url}/api/v1/previews`, { ref: 'feature' });
    expect(started.status).toBe(202);
    const { previewId } = started.json as { previewId: string };
    expect(started.headers.get('location')).toBe(`/api/v1/previews/${previewId}`);
    expect(started.json).toMatchObject({ state: 'pending', ref: 'feature', revision: `feature@sha1:${featureCommit}`, commit: featureCommit, base: expect.stringMatching(/^main@sha1:/) });
    const preview = await finished(previewId);
    expect(preview).toMatchObject({ state: 'done', validation: { valid: true, problems: [] }, trigger: 'api' });
    expect(preview.hosts.map((h) => [h.host, h.result, h.change, h.steps.map((s) => s.name), h.drift?.steps.length])).toEqual([
      ['web1', 'changes', 'changed', ['backup_srv_ctl_managed_txt', 'regen_srv_ctl_managed_txt'], 0],
      ['web2', 'changes', 'changed', ['install_secret_db_password', 'regen_srv_ctl_app_conf'], 0],
      ['web3', 'in-sync', 'unchanged', [], 0],
    ]);
    expect(preview.hosts[0]!.diff).toEqual(expect.arrayContaining(['-one', '+two']));
    expect(preview.hosts[1]!.diff).toContain('+password=(secret)');
    const markdown = await request(`${ctl.url}/api/v1/previews/${previewId}?format=markdown`, { token: true });
    expect(markdown.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(markdown.text).toMatch(/^### drover preview of `feature`/);
    expect(markdown.text).toMatch(/^\| `web1` \| changed \|/m);
    expect(markdown.text).toMatch(/^\| `web2` \| changed \|/m);
    for (const shown of [JSON.stringify(preview), markdown.text, JSON.stringify(ctl.events), ctl.stderr()]) expect(shown).not.toContain(SECRET);
    expect(ctl.events.some((e) => e.msg === `preview ${previewId} done`)).toBe(true);
    expect(await untouched()).toBe(before);
  });

  it('drover preview --wait prints the markdown and exits 2 for changes; 1 for an invalid branch', async () => {
    const before = await untouched();
    const flags = ['--controller', ctl.url, '--token-file', join(env.dir, 'api-token')];
    const run = await runDrover(['preview', ...flags, '--ref', 'feature', '--wait', '-o', 'markdown']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toMatch(/^\| `web1` \| changed \|/m);
    expect(run.stdout).not.toContain(SECRET);
    const invalid = await runDrover(['preview', ...flags, '--ref', 'broken', '--wait']);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/the revision is invalid; no host was planned:\n {2}hosts\/web3\.yaml:\d+:\d+ .*adress/);
    const missing = await runDrover(['preview', ...flags, '--ref', 'no-such-branch', '--wait']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ref "no-such-branch" does not exist in');
    expect(await untouched()).toBe(before);
  });

  it('answers an invalid branch with its problems, an unknown ref and an unknown id with 404', async () => {
    const started = await postJson(`${ctl.url}/api/v1/previews`, { ref: 'broken' });
    expect(started.status).toBe(202);
    const preview = await finished((started.json as { previewId: string }).previewId);
    expect(preview.state).toBe('done');
    expect(preview.validation?.valid).toBe(false);
    expect(preview.validation?.problems).toEqual([expect.stringMatching(/^hosts\/web3\.yaml:\d+:\d+ .*adress/)]);
    expect(preview.hosts).toEqual([]);
    const missing = await postJson(`${ctl.url}/api/v1/previews`, { ref: 'no-such-branch' });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ error: { code: 'E_SOURCE_REF_NOT_FOUND', message: expect.stringContaining('"no-such-branch" does not exist') } });
    const option = await postJson(`${ctl.url}/api/v1/previews`, { ref: '--upload-pack=x' });
    expect(option.status).toBe(400);
    const unknown = await request(`${ctl.url}/api/v1/previews/nope`, { token: true });
    expect(unknown.status).toBe(404);
    expect((unknown.json as { error: { code: string } }).error.code).toBe('E_PREVIEW_UNKNOWN');
    const anonymous = await request(`${ctl.url}/api/v1/previews`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ref":"feature"}' });
    expect(anonymous.status).toBe(401);
  });

  it('previews the head commit of a GitHub pull request the webhook announces', async () => {
    const before = await untouched();
    const event = (action: string): string => JSON.stringify({
      action, number: 12,
      pull_request: { number: 12, html_url: 'https://github.example/ops/fleet/pull/12', head: { sha: featureCommit, ref: 'feature' }, base: { ref: 'main' } },
      repository: { full_name: 'ops/fleet', clone_url: env.remote.bare },
    });
    const send = (body: string): ReturnType<typeof request> => request(`${ctl.url}/hooks/github`, {
      method: 'POST', body, headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-hub-signature-256': signature(body) },
    });
    const closed = await send(event('closed'));
    expect(closed.json).toEqual({ ignored: true, reason: 'pull_request closed: previews start on opened, synchronize, reopened' });
    const opened = await send(event('opened'));
    expect(opened.status).toBe(202);
    const { preview: id } = opened.json as { preview: string };
    const preview = await finished(id);
    expect(preview).toMatchObject({ trigger: 'webhook', commit: featureCommit, pullRequest: { provider: 'github', number: 12, headSha: featureCommit, action: 'opened' } });
    expect(preview.hosts.filter((h) => h.steps.length > 0).map((h) => h.host)).toEqual(['web1', 'web2']);
    const markdown = await request(`${ctl.url}/api/v1/previews/${id}?format=markdown`, { token: true });
    expect(markdown.text).toMatch(/^### drover preview of `pull request #12 \(feature\)`\n\nRevision `sha1:[0-9a-f]{40}`/);
    expect(await untouched()).toBe(before);
  });
});
