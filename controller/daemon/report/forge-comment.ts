/**
 * The pull-request comment a preview keeps up to date, as each forge's API takes it (pure: requests are
 * built at send time, so the token lives only in memory). The comment starts with a hidden marker naming
 * the controller's status context; the next preview of the same request finds it by that marker and
 * edits it rather than adding another.
 * - GitHub: list `GET {repo}/issues/{n}/comments?per_page=100&page=P`, create `POST {repo}/issues/{n}/comments`,
 *   edit `PATCH {repo}/issues/comments/{id}`, body `{body}`.
 * - Gitea (and Forgejo): the same paths under /api/v1; the list has no pages (one answer holds every comment).
 * - GitLab: list `GET {project}/merge_requests/{iid}/notes?per_page=100&page=P&sort=asc&order_by=created_at`,
 *   create `POST .../notes`, edit `PUT .../notes/{id}`, body `{body}`.
 */
import { forgeHeaders, repositoryApi, type ForgeRequest, type ForgeTarget } from './forge.js';

/** A comment to post, as queued (persisted) until delivered: no credential in it. */
export interface PullRequestComment {
  /** GitHub's pull request number, GitLab's merge request iid. */
  number: number;
  /** The markdown, marker excluded. */
  markdown: string;
}

/** Comments read per page when looking for the marked one. */
export const COMMENTS_PER_PAGE = 100;

/** The hidden first line of the comment of the controller posting under `context`. */
export function commentMarker(context: string): string {
  return `<!-- drover-preview ${context.replace(/--/g, '- -')} -->`;
}

/** The request listing page `page` (from 1) of the comments of request `number` (Gitea: all of them). */
export function listCommentsRequest(target: ForgeTarget, number: number, page: number): ForgeRequest {
  const base = commentsBase(target, number);
  if (target.provider === 'gitea') return { method: 'GET', url: base, headers: forgeHeaders(target) };
  const query = `per_page=${COMMENTS_PER_PAGE}&page=${page}${target.provider === 'gitlab' ? '&sort=asc&order_by=created_at' : ''}`;
  return { method: 'GET', url: `${base}?${query}`, headers: forgeHeaders(target) };
}

/** The request adding `comment` to its pull request, marked for `target.context`. */
export function createCommentRequest(target: ForgeTarget, comment: PullRequestComment): ForgeRequest {
  return { method: 'POST', url: commentsBase(target, comment.number), headers: forgeHeaders(target), body: commentBody(target, comment) };
}

/** The request replacing the text of comment `id` with `comment`. */
export function updateCommentRequest(target: ForgeTarget, comment: PullRequestComment, id: number): ForgeRequest {
  const url = target.provider === 'gitlab' ? `${commentsBase(target, comment.number)}/${id}` : `${repositoryApi(target)}/issues/comments/${id}`;
  return { method: target.provider === 'gitlab' ? 'PUT' : 'PATCH', url, headers: forgeHeaders(target), body: commentBody(target, comment) };
}

/**
 * In one page of a list answer (JSON text): the id of the first comment whose text starts with the
 * marker, and how many comments the page held (a short page is the last). Throws on an answer that is
 * not a JSON array.
 */
export function findMarkedComment(text: string, marker: string): { id?: number; count: number } {
  const comments: unknown = JSON.parse(text);
  if (!Array.isArray(comments)) throw new Error('the comment list is not a JSON array');
  const found = comments.find((c: unknown) => typeof field(c, 'body') === 'string' && (field(c, 'body') as string).startsWith(marker) && typeof field(c, 'id') === 'number');
  return { count: comments.length, ...(found ? { id: field(found, 'id') as number } : {}) };
}

function commentBody(target: ForgeTarget, comment: PullRequestComment): string {
  return JSON.stringify({ body: `${commentMarker(target.context)}\n${comment.markdown}` });
}

function commentsBase(target: ForgeTarget, number: number): string {
  return target.provider === 'gitlab' ? `${repositoryApi(target)}/merge_requests/${number}/notes` : `${repositoryApi(target)}/issues/${number}/comments`;
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}
