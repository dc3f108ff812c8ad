/** Pull and merge request webhooks (pure): which events start a preview of which commit, and why others do not. */
import { describe, expect, it } from 'vitest';
import { decidePullRequest, sameRepository } from '../../../../controller/daemon/http/pull-request-events.js';

const SHA = 'a'.repeat(40);
const followed = { ref: { branch: 'main' }, url: 'git@github.example:ops/fleet.git' };

function githubEvent(action: string, over: { base?: string; name?: string; sha?: string } = {}): unknown {
  return {
    action, number: 7,
    pull_request: { number: 7, html_url: 'https://github.example/ops/fleet/pull/7', head: { sha: over.sha ?? SHA, ref: 'feature' }, base: { ref: over.base ?? 'main' } },
    repository: { full_name: `ops/${over.name ?? 'fleet'}`, clone_url: `https://github.example/ops/${over.name ?? 'fleet'}.git`, ssh_url: `git@github.example:ops/${over.name ?? 'fleet'}.git` },
  };
}

function gitlabEvent(action: string, attrs: Record<string, unknown> = {}): unknown {
  return {
    object_kind: 'merge_request',
    project: { path_with_namespace: 'ops/fleet', git_http_url: 'https://github.example/ops/fleet.git' },
    object_attributes: { action, iid: 3, source_branch: 'feature', target_branch: 'main', url: 'https://github.example/ops/fleet/-/merge_requests/3', last_commit: { id: SHA }, ...attrs },
  };
}

const pr = { 'x-github-event': 'pull_request' };
const mr = { 'x-gitlab-event': 'Merge Request Hook' };

describe('decidePullRequest', () => {
  it('previews the head of an opened, synchronized or reopened GitHub pull request into the followed branch', () => {
    for (const action of ['opened', 'synchronize', 'reopened']) {
      expect(decidePullRequest('github', pr, githubEvent(action), followed)).toEqual({
        action: 'preview', ref: SHA, holder: 'refs/pull/7/head',
        pullRequest: { provider: 'github', number: 7, headSha: SHA, action, headRef: 'feature', baseRef: 'main', repository: 'ops/fleet', url: 'https://github.example/ops/fleet/pull/7' },
      });
    }
  });

  it('ignores other actions, other target branches, other repositories and events without a head commit, saying why', () => {
    const cases: [unknown, string][] = [
      [githubEvent('closed'), 'pull_request closed: previews start on opened, synchronize, reopened'],
      [githubEvent('opened', { base: 'release' }), 'pull request into release, the controller follows main'],
      [githubEvent('opened', { name: 'other' }), 'pull request of ops/other, not of the repository the controller follows'],
      [githubEvent('opened', { sha: 'abc' }), 'the pull request event names no head commit (40 hex) or number'],
    ];
    for (const [body, reason] of cases) expect(decidePullRequest('github', pr, body, followed)).toEqual({ action: 'ignore', reason });
  });

  it('previews a GitLab merge request when it opens or gets new commits, not when only its title changes', () => {
    expect(decidePullRequest('gitlab', mr, gitlabEvent('update', { oldrev: 'b'.repeat(40) }), followed)).toMatchObject({
      action: 'preview', ref: SHA, holder: 'refs/merge-requests/3/head', pullRequest: { provider: 'gitlab', number: 3, headRef: 'feature', baseRef: 'main' },
    });
    expect(decidePullRequest('gitlab', mr, gitlabEvent('open'), followed)).toMatchObject({ action: 'preview' });
    expect(decidePullRequest('gitlab', mr, gitlabEvent('update'), followed)).toEqual({ action: 'ignore', reason: 'merge request update without new commits' });
    expect(decidePullRequest('gitlab', mr, gitlabEvent('merge'), followed)).toEqual({ action: 'ignore', reason: 'merge request merge: previews start on open, update, reopen' });
  });

  it('leaves pushes and pings to the push decision', () => {
    expect(decidePullRequest('github', { 'x-github-event': 'push' }, { ref: 'refs/heads/main' }, followed)).toBeUndefined();
    expect(decidePullRequest('gitlab', { 'x-gitlab-event': 'Push Hook' }, { object_kind: 'push' }, followed)).toBeUndefined();
    expect(decidePullRequest('generic', pr, githubEvent('opened'), followed)).toBeUndefined();
  });
});

describe('sameRepository', () => {
  it.each([
    ['git@github.example:ops/fleet.git', 'https://github.example/ops/fleet', true],
    ['ssh://git@github.example:2222/ops/fleet.git', 'https://GitHub.example/Ops/Fleet/', true],
    ['https://github.example/ops/fleet.git', 'https://github.example/ops/other.git', false],
    ['https://github.example/ops/fleet.git', 'https://gitlab.example/ops/fleet.git', false],
    ['/srv/git/fleet.git', '/srv/git/fleet', true],
  ])('%s = %s: %s', (a, b, same) => {
    expect(sameRepository(a, b)).toBe(same);
  });
});
