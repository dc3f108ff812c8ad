/**
 * Pull and merge request webhooks, pure: does a (verified) event ask for a preview of its head commit?
 * GitHub `pull_request` (opened, synchronize, reopened) and GitLab merge request events (open, update
 * with new commits, reopen) into the followed branch of the followed repository do; every other action
 * is ignored with the reason. Push events are not decided here (webhook-events.ts).
 */
import type { SourceRef } from '../../config/types.js';
import type { PullRequestInfo } from '../previews/types.js';
import type { WebhookProvider } from './webhook-events.js';

type Headers = Record<string, string | string[] | undefined>;

/** What to do with a pull or merge request event. */
export type PullRequestDecision = { action: 'preview'; ref: string; holder: string; pullRequest: PullRequestInfo } | { action: 'ignore'; reason: string };

/** The followed repository and ref. */
export interface Followed {
  ref: SourceRef;
  /** The source URL (any form: https, ssh, scp-like, a local path). */
  url: string;
}

const GITHUB_ACTIONS = ['opened', 'synchronize', 'reopened'];
const GITLAB_ACTIONS = ['open', 'update', 'reopen'];

/** The decision for a pull or merge request event; undefined for any other event (a push, a ping). */
export function decidePullRequest(provider: WebhookProvider, headers: Headers, body: unknown, followed: Followed): PullRequestDecision | undefined {
  if (provider === 'github' && header(headers, 'x-github-event') === 'pull_request') return decideGithub(body, followed);
  if (provider === 'gitlab' && (header(headers, 'x-gitlab-event') === 'Merge Request Hook' || field(body, 'object_kind') === 'merge_request')) return decideGitlab(body, followed);
  return undefined;
}

function decideGithub(body: unknown, followed: Followed): PullRequestDecision {
  const action = text(field(body, 'action')) ?? '(none)';
  const pr = field(body, 'pull_request');
  const number = field(body, 'number') ?? field(pr, 'number');
  if (!GITHUB_ACTIONS.includes(action)) return { action: 'ignore', reason: `pull_request ${action}: previews start on ${GITHUB_ACTIONS.join(', ')}` };
  const repo = field(body, 'repository') ?? field(field(pr, 'base'), 'repo');
  const info = {
    provider: 'github' as const, action, number, headSha: field(field(pr, 'head'), 'sha'), headRef: field(field(pr, 'head'), 'ref'),
    baseRef: field(field(pr, 'base'), 'ref'), repository: field(repo, 'full_name'), url: field(pr, 'html_url'),
  };
  const urls = ['clone_url', 'ssh_url', 'git_url', 'html_url', 'svn_url'].map((k) => text(field(repo, k)));
  return decide(info, urls, followed, 'pull request');
}

function decideGitlab(body: unknown, followed: Followed): PullRequestDecision {
  const attrs = field(body, 'object_attributes');
  const action = text(field(attrs, 'action')) ?? '(none)';
  if (!GITLAB_ACTIONS.includes(action)) return { action: 'ignore', reason: `merge request ${action}: previews start on ${GITLAB_ACTIONS.join(', ')}` };
  // GitLab sends `update` for a new title or label too; only new commits carry `oldrev`.
  if (action === 'update' && field(attrs, 'oldrev') === undefined) return { action: 'ignore', reason: 'merge request update without new commits' };
  const project = field(body, 'project');
  const info = {
    provider: 'gitlab' as const, action, number: field(attrs, 'iid'), headSha: field(field(attrs, 'last_commit'), 'id'), headRef: field(attrs, 'source_branch'),
    baseRef: field(attrs, 'target_branch'), repository: field(project, 'path_with_namespace'), url: field(attrs, 'url'),
  };
  const urls = ['git_http_url', 'git_ssh_url', 'http_url', 'ssh_url', 'web_url'].map((k) => text(field(project, k)));
  return decide(info, urls, followed, 'merge request');
}

/** Checks the head commit, the target branch and the repository; builds the preview request. */
function decide(raw: Record<string, unknown>, urls: (string | undefined)[], followed: Followed, what: string): PullRequestDecision {
  const headSha = text(raw.headSha);
  const number = typeof raw.number === 'number' && Number.isInteger(raw.number) ? raw.number : undefined;
  if (headSha === undefined || !/^[0-9a-f]{40}$/.test(headSha) || number === undefined) return { action: 'ignore', reason: `the ${what} event names no head commit (40 hex) or number` };
  const baseRef = text(raw.baseRef);
  if ('branch' in followed.ref && baseRef !== undefined && baseRef !== followed.ref.branch) {
    return { action: 'ignore', reason: `${what} into ${baseRef}, the controller follows ${followed.ref.branch}` };
  }
  const known = urls.filter((u): u is string => u !== undefined);
  if (known.length > 0 && !known.some((u) => sameRepository(u, followed.url))) {
    return { action: 'ignore', reason: `${what} of ${text(raw.repository) ?? known[0]}, not of the repository the controller follows` };
  }
  const optional = (key: 'headRef' | 'baseRef' | 'repository' | 'url'): Partial<PullRequestInfo> => (text(raw[key]) === undefined ? {} : { [key]: text(raw[key]) });
  const pullRequest: PullRequestInfo = {
    provider: raw.provider as PullRequestInfo['provider'], number, headSha, action: text(raw.action)!,
    ...optional('headRef'), ...optional('baseRef'), ...optional('repository'), ...optional('url'),
  };
  // The head of a request from a fork is on no branch of the followed repository: the forge keeps it
  // under a ref of the request, fetched when the remote does not serve the commit by id.
  const holder = pullRequest.provider === 'github' ? `refs/pull/${number}/head` : `refs/merge-requests/${number}/head`;
  return { action: 'preview', ref: headSha, holder, pullRequest };
}

/**
 * True when two repository URLs name the same repository: host and path compared, whatever the
 * scheme, user, port, `.git` suffix, trailing slash or case (`git@host:o/r.git` = `https://host/o/r`).
 */
export function sameRepository(a: string, b: string): boolean {
  return repositoryKey(a) === repositoryKey(b);
}

function repositoryKey(url: string): string {
  const plain = url.trim().toLowerCase().replace(/\/+$/, '').replace(/\.git$/, '');
  const scp = /^[^/@\s]+@([^/:\s]+):(.+)$/.exec(plain);
  if (scp) return `${scp[1]}/${scp[2]!.replace(/^\/+/, '')}`;
  try {
    const parsed = new URL(plain);
    return parsed.protocol === 'file:' ? parsed.pathname : `${parsed.hostname}/${parsed.pathname.replace(/^\/+/, '')}`;
  } catch {
    return plain;
  }
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
