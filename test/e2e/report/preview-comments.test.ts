/**
 * Previews of pull and merge requests posted back to the forge, from a real controller, real fleet hosts
 * and a real Git remote, to a local server answering as GitHub's and GitLab's APIs do: the webhook of
 * a pull request leads to a commit status on its head (`drover/preview`, `N hosts change, M fail`,
 * linking to the preview's markdown) and a comment holding that markdown, found again by its marker
 * (past a first page of other comments) and edited on the next push rather than added again. On GitLab
 * an invalid merge request gets `failed` and a note, edited once a fixed commit is pushed. No token in
 * the controller's log.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { poll } from '../../support/poll.js';
import { git } from '../../support/git-remote.js';
import { hostFile, useControllerEnv, waitForHost } from '../controller/support.js';
import { request, signature, startHttpControllerIn, WEBHOOK_SECRET, type HttpController } from '../http/support.js';
import { startForgeRecorder, type AcceptedStatus, type ForgeRecorder } from './forge-recorder.js';

const TOKEN = 'ghp_preview-token-0123456789abcdef';
const PUBLIC_URL = 'https://drover.example.com';
const env = useControllerEnv({ count: 2, name: 'report-previews' });

beforeAll(async () => {
  await writeFile(join(env.dir, 'forge-token'), `${TOKEN}\n`, { mode: 0o600 });
  await env.remote.commit({ 'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'one\n'), 'hosts/web2.yaml': hostFile(env.fleet.hosts[1]!, 'one\n') }, 'two hosts');
});

/** Commits `files` on `branch` (made from main when new) and pushes it; main stays checked out. */
async function pushTo(branch: string, files: Record<string, string>): Promise<string> {
  const work = env.remote.work;
  const exists = (await git(work, 'branch', '--list', branch)).trim() !== '';
  await git(work, 'checkout', '-q', ...(exists ? [branch] : ['-b', branch, 'main']));
  for (const [path, content] of Object.entries(files)) await writeFile(join(work, path), content);
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', `${branch} change`);
  await git(work, 'push', '-q', 'origin', branch);
  const commit = (await git(work, 'rev-parse', 'HEAD')).trim();
  await git(work, 'checkout', '-q', 'main');
  return commit;
}

async function startWith(forge: ForgeRecorder, provider: 'github' | 'gitlab', stateDir: string): Promise<HttpController> {
  const ctl = await startHttpControllerIn(env, {
    stateDir, extra: { publicUrl: PUBLIC_URL, commitStatus: { provider, apiUrl: forge.apiUrl, repository: 'ops/fleet', tokenFile: join(env.dir, 'forge-token') } },
  });
  for (const name of ['web1', 'web2']) await waitForHost(ctl, name, (r) => r.status === 'Synced', 'synced');
  return ctl;
}

/** The preview status posted on `sha`, once there. */
function previewStatus(ctl: HttpController, forge: ForgeRecorder, sha: string): Promise<AcceptedStatus> {
  return ctl.waitFor(async () => forge.statuses.find((s) => s.sha === sha && s.context === 'drover/preview'), `the preview status of ${sha.slice(0, 7)}`);
}

/** The markdown the controller serves for the preview a status links to. */
async function markdownOf(ctl: HttpController, status: AcceptedStatus): Promise<string> {
  const path = status.targetUrl!.slice(PUBLIC_URL.length);
  const answer = await request(`${ctl.url}${path}`, { token: true });
  expect(answer.status).toBe(200);
  return answer.text;
}

describe('previews of pull requests posted back', () => {
  it('GitHub: a status and a comment with the markdown; the next push edits that comment', async () => {
    const forge = await startForgeRecorder({ provider: 'github', token: TOKEN, repository: 'ops/fleet', context: 'drover' });
    env.onTeardown(() => forge.close());
    // A busy pull request: the controller's comment will be on the second page of its comments.
    for (let i = 0; i < 120; i++) forge.comments.push({ id: 1 + i, number: 12, body: `review comment ${i}`, edits: 0 });
    const ctl = await startWith(forge, 'github', join(env.dir, 'state-github'));
    const event = (action: string, sha: string): string => JSON.stringify({
      action, number: 12,
      pull_request: { number: 12, html_url: 'https://github.example/ops/fleet/pull/12', head: { sha, ref: 'feature' }, base: { ref: 'main' } },
      repository: { full_name: 'ops/fleet', clone_url: env.remote.bare },
    });
    const hook = (body: string): ReturnType<typeof request> => request(`${ctl.url}/hooks/github`, {
      method: 'POST', body, headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-hub-signature-256': signature(body) },
    });

    const first = await pushTo('feature', { 'hosts/web1.yaml': hostFile(env.fleet.hosts[0]!, 'two\n') });
    expect((await hook(event('opened', first))).status).toBe(202);
    const status = await previewStatus(ctl, forge, first);
    expect(status).toEqual({ sha: first, state: 'success', description: '1 host changes, 0 fail', context: 'drover/preview', targetUrl: expect.stringMatching(/^https:\/\/drover\.example\.com\/api\/v1\/previews\/[\w-]+\?format=markdown$/) });
    const markdown = await markdownOf(ctl, status);
    expect(markdown).toMatch(/^### drover preview of `pull request #12 \(feature\)`/);
    const posted = await poll('the comment', async () => forge.comments.find((c) => c.id > 120));
    expect(posted).toEqual({ id: posted.id, number: 12, body: `<!-- drover-preview drover -->\n${markdown}`, edits: 0 });
    // The host's old text and the new one, as a diff.
    expect(markdown).toMatch(/^-one$/m);
    expect(markdown).toMatch(/^\+two$/m);

    const second = await pushTo('feature', { 'hosts/web2.yaml': hostFile(env.fleet.hosts[1]!, 'two\n') });
    expect((await hook(event('synchronize', second))).status).toBe(202);
    const next = await previewStatus(ctl, forge, second);
    expect(next).toMatchObject({ state: 'success', description: '2 hosts change, 0 fail' });
    await poll('the comment edited', async () => (posted.edits === 1 ? true : undefined));
    expect(forge.comments.filter((c) => c.id > 120)).toEqual([{ ...posted, body: `<!-- drover-preview drover -->\n${await markdownOf(ctl, next)}`, edits: 1 }]);
    expect(posted.body).toMatch(/web2/);
    // Listed both times from page 1 to the page holding the comment.
    const lists = forge.received.filter((r) => r.method === 'GET').map((r) => r.path);
    expect(lists).toEqual(['/repos/ops/fleet/issues/12/comments?per_page=100&page=1', '/repos/ops/fleet/issues/12/comments?per_page=100&page=2',
      '/repos/ops/fleet/issues/12/comments?per_page=100&page=1', '/repos/ops/fleet/issues/12/comments?per_page=100&page=2']);
    expect(forge.problems).toEqual([]);
    expect([JSON.stringify(ctl.events), ctl.stderr()].join('\n')).not.toContain(TOKEN);
    await ctl.stop();
  });

  it('GitLab: an invalid merge request fails with a note; the fixed push succeeds and edits the note', async () => {
    const forge = await startForgeRecorder({ provider: 'gitlab', token: TOKEN, repository: 'ops/fleet', context: 'drover' });
    env.onTeardown(() => forge.close());
    const ctl = await startWith(forge, 'gitlab', join(env.dir, 'state-gitlab'));
    const event = (action: string, sha: string, extra: Record<string, unknown> = {}): string => JSON.stringify({
      object_kind: 'merge_request',
      object_attributes: { action, iid: 3, last_commit: { id: sha }, source_branch: 'broken', target_branch: 'main', url: 'https://gitlab.example/ops/fleet/-/merge_requests/3', ...extra },
      project: { path_with_namespace: 'ops/fleet', git_http_url: env.remote.bare },
    });
    const hook = (body: string): ReturnType<typeof request> => request(`${ctl.url}/hooks/gitlab`, {
      method: 'POST', body, headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Merge Request Hook', 'x-gitlab-token': WEBHOOK_SECRET },
    });

    const bad = await pushTo('broken', { 'hosts/web2.yaml': `${hostFile(env.fleet.hosts[1]!, 'one\n')}adress: nowhere\n` });
    expect((await hook(event('open', bad))).status).toBe(202);
    const failed = await previewStatus(ctl, forge, bad);
    expect(failed).toMatchObject({ state: 'failed', context: 'drover/preview' });
    expect(failed.description).toMatch(/^invalid, 1 problem: hosts\/web2\.yaml:\d+:\d+ /);
    const note = await poll('the note', async () => forge.comments[0]);
    expect(note).toEqual({ id: note.id, number: 3, body: `<!-- drover-preview drover -->\n${await markdownOf(ctl, failed)}`, edits: 0 });
    expect(note.body).toMatch(/hosts\/web2\.yaml:\d+:\d+/);

    const fixed = await pushTo('broken', { 'hosts/web2.yaml': hostFile(env.fleet.hosts[1]!, 'three\n') });
    expect((await hook(event('update', fixed, { oldrev: bad }))).status).toBe(202);
    expect(await previewStatus(ctl, forge, fixed)).toMatchObject({ state: 'success', description: '1 host changes, 0 fail' });
    await poll('the note edited', async () => (note.edits === 1 ? true : undefined));
    expect(forge.comments).toHaveLength(1);
    expect(note.body).toContain('three');
    expect(forge.received.filter((r) => r.method === 'PUT').map((r) => r.path)).toEqual([`/api/v4/projects/ops%2Ffleet/merge_requests/3/notes/${note.id}`]);
    expect(forge.problems).toEqual([]);
    expect([JSON.stringify(ctl.events), ctl.stderr()].join('\n')).not.toContain(TOKEN);
  });
});
