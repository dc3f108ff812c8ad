/**
 * Commit statuses as each forge's API takes them (pure: the request to send, built at send time so the
 * token lives only in memory, never in the queued payload).
 * - GitHub: `POST {apiUrl}/repos/{owner}/{repo}/statuses/{sha}`, `Authorization: Bearer`, states
 *   pending, success, failure, error; `context`.
 * - Gitea (and Forgejo): `POST {root}/api/v1/repos/{owner}/{repo}/statuses/{sha}`, `Authorization: token`,
 *   GitHub's states and fields; apiUrl is the server's root (one already ending in /api/v1 is kept).
 * - GitLab: `POST {apiUrl}/projects/{id or url-encoded path}/statuses/{sha}`, `PRIVATE-TOKEN`, states
 *   pending, running, success, failed, canceled; the context is `name`.
 */
import type { CommitStatusSettings } from '../../config/types.js';
import { fit } from './revision-outcome.js';

/** drover's own states: pending (accepted, hosts reconciling), then one final state. */
export type CommitState = 'pending' | 'success' | 'failure' | 'superseded';

/** A status to post, as queued (persisted) until delivered: no credential in it. */
export interface CommitStatus {
  /** The commit (40 hex). */
  sha: string;
  revision: string;
  state: CommitState;
  description: string;
  targetUrl?: string;
  /** The context posted under when not the target's (a preview's: `<context>/preview`). */
  context?: string;
}

/** An HTTP request ready to send. */
export interface ForgeRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** Where statuses go; `token` is revealed only here, when a request is built. */
export type ForgeTarget = Pick<CommitStatusSettings, 'provider' | 'apiUrl' | 'repository'> & { context: string; token: string; userAgent: string };

const GITHUB_STATES: Readonly<Record<CommitState, string>> = { pending: 'pending', success: 'success', failure: 'failure', superseded: 'error' };
const GITLAB_STATES: Readonly<Record<CommitState, string>> = { pending: 'running', success: 'success', failure: 'failed', superseded: 'canceled' };

/** The state name `provider` uses for `state`. */
export function forgeState(provider: CommitStatusSettings['provider'], state: CommitState): string {
  return (provider === 'gitlab' ? GITLAB_STATES : GITHUB_STATES)[state];
}

/** The request that posts `status` to `target`. */
export function commitStatusRequest(target: ForgeTarget, status: CommitStatus): ForgeRequest & { body: string } {
  const description = fit(status.description);
  const context = status.context ?? target.context;
  const url = `${repositoryApi(target)}/statuses/${status.sha}`;
  const fields = { state: forgeState(target.provider, status.state), [target.provider === 'gitlab' ? 'name' : 'context']: context, description };
  return { method: 'POST', url, headers: forgeHeaders(target), body: JSON.stringify({ ...fields, ...(status.targetUrl ? { target_url: status.targetUrl } : {}) }) };
}

/** The API URL of the target's repository: `{apiUrl}/repos/{owner}/{repo}` (Gitea under /api/v1), GitLab `{apiUrl}/projects/{id}`. */
export function repositoryApi(target: Pick<ForgeTarget, 'provider' | 'apiUrl' | 'repository'>): string {
  if (target.provider === 'gitlab') {
    const project = /^\d+$/.test(target.repository) ? target.repository : encodeURIComponent(target.repository);
    return `${target.apiUrl}/projects/${project}`;
  }
  const [owner, repo] = target.repository.split('/').map(encodeURIComponent) as [string, string];
  return `${target.provider === 'gitea' ? giteaApi(target.apiUrl) : target.apiUrl}/repos/${owner}/${repo}`;
}

/** The headers of every request to the target's API: JSON, the user agent, the token as the forge takes it. */
export function forgeHeaders(target: Pick<ForgeTarget, 'provider' | 'token' | 'userAgent'>): Record<string, string> {
  const json = { 'content-type': 'application/json', 'user-agent': target.userAgent };
  if (target.provider === 'gitlab') return { ...json, 'private-token': target.token };
  if (target.provider === 'gitea') return { ...json, accept: 'application/json', authorization: `token ${target.token}` };
  return { ...json, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', authorization: `Bearer ${target.token}` };
}

/** Gitea's API base from its configured URL: the root gets /api/v1 appended. */
export function giteaApi(apiUrl: string): string {
  const base = apiUrl.replace(/\/+$/, '');
  return /\/api\/v1$/.test(base) ? base : `${base}/api/v1`;
}

/** The context a controller posts under: the configured one, else `drover` (`drover/shard-I` when sharded). */
export function statusContext(configured: string | undefined, shard: { index: number; count: number } | undefined): string {
  if (configured !== undefined) return configured;
  return shard && shard.count > 1 ? `drover/shard-${shard.index}` : 'drover';
}
