/**
 * The requests that post a commit status, per forge, as their APIs document them: method, exact URL,
 * auth header, body fields and state names; Gitea's API base; the context of a sharded replica.
 */
import { describe, expect, it } from 'vitest';
import { commitStatusRequest, forgeState, giteaApi, statusContext, type CommitStatus, type ForgeTarget } from '../../../../controller/daemon/report/forge.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const status: CommitStatus = { sha: SHA, revision: `main@sha1:${SHA}`, state: 'failure', description: '18/20 hosts synced, 2 failed: web3, web7', targetUrl: 'https://drover.example.com/' };
const target = (t: Partial<ForgeTarget>): ForgeTarget => ({ provider: 'github', apiUrl: 'https://api.github.com', repository: 'ops/fleet', context: 'drover', token: 'tok-0123456789abcdef', userAgent: 'drover', ...t });

describe('commitStatusRequest', () => {
  it('GitHub: POST /repos/{owner}/{repo}/statuses/{sha}, Bearer, context', () => {
    const r = commitStatusRequest(target({}), status);
    expect(r).toEqual({
      method: 'POST', url: `https://api.github.com/repos/ops/fleet/statuses/${SHA}`,
      headers: { 'content-type': 'application/json', 'user-agent': 'drover', accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', authorization: 'Bearer tok-0123456789abcdef' },
      body: JSON.stringify({ state: 'failure', context: 'drover', description: status.description, target_url: 'https://drover.example.com/' }),
    });
  });

  it('Gitea: /api/v1/repos/..., Authorization: token', () => {
    const r = commitStatusRequest(target({ provider: 'gitea', apiUrl: 'https://gitea.example.com' }), { ...status, state: 'superseded' });
    expect(r.url).toBe(`https://gitea.example.com/api/v1/repos/ops/fleet/statuses/${SHA}`);
    expect(r.headers.authorization).toBe('token tok-0123456789abcdef');
    expect(JSON.parse(r.body)).toMatchObject({ state: 'error', context: 'drover' });
    expect(giteaApi('https://git.example.com/api/v1/')).toBe('https://git.example.com/api/v1');
  });

  it('GitLab: /projects/{url-encoded path or id}/statuses/{sha}, PRIVATE-TOKEN, name and its states', () => {
    const byPath = commitStatusRequest(target({ provider: 'gitlab', apiUrl: 'https://gitlab.com/api/v4', repository: 'infra/deploy/fleet' }), { ...status, state: 'pending' });
    expect(byPath.url).toBe(`https://gitlab.com/api/v4/projects/infra%2Fdeploy%2Ffleet/statuses/${SHA}`);
    expect(byPath.headers['private-token']).toBe('tok-0123456789abcdef');
    expect(byPath.headers.authorization).toBeUndefined();
    expect(JSON.parse(byPath.body)).toEqual({ state: 'running', name: 'drover', description: status.description, target_url: 'https://drover.example.com/' });
    const byId = commitStatusRequest(target({ provider: 'gitlab', apiUrl: 'https://gitlab.com/api/v4', repository: '4711' }), status);
    expect(byId.url).toBe(`https://gitlab.com/api/v4/projects/4711/statuses/${SHA}`);
  });

  it.each([
    ['github', ['pending', 'success', 'failure', 'error']],
    ['gitea', ['pending', 'success', 'failure', 'error']],
    ['gitlab', ['running', 'success', 'failed', 'canceled']],
  ] as const)('%s state names', (provider, names) => {
    expect((['pending', 'success', 'failure', 'superseded'] as const).map((s) => forgeState(provider, s))).toEqual(names);
  });

  it('cuts a description to 140 characters and leaves target_url out without publicUrl', () => {
    const { targetUrl: _t, ...bare } = status;
    const body = JSON.parse(commitStatusRequest(target({}), { ...bare, description: 'x'.repeat(300) }).body) as Record<string, string>;
    expect(body.description).toHaveLength(140);
    expect(body).not.toHaveProperty('target_url');
  });

  it('context: configured, else drover, drover/shard-I when sharded', () => {
    expect(statusContext(undefined, undefined)).toBe('drover');
    expect(statusContext(undefined, { index: 0, count: 1 })).toBe('drover');
    expect(statusContext(undefined, { index: 2, count: 3 })).toBe('drover/shard-2');
    expect(statusContext('ci/drover', { index: 2, count: 3 })).toBe('ci/drover');
  });
});
