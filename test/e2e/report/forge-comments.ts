/**
 * The comment APIs of the forge recorder (forge-recorder.ts), answering as each forge documents them and
 * checking every request: GitHub and Gitea issue comments (list, POST, PATCH /issues/comments/ID),
 * GitLab merge request notes (list, POST, PUT .../notes/ID). Lists are paged as the forge pages them
 * (Gitea: one answer); a body must be exactly `{body}`, at most 65,536 characters (GitHub's limit).
 */
import type { IncomingMessage } from 'node:http';
import type { ForgeSpec } from './forge-recorder.js';

/** A comment as the forge keeps it. */
export interface StoredComment {
  id: number;
  /** The pull request number (GitLab: the merge request iid). */
  number: number;
  body: string;
  /** How many times it was edited. */
  edits: number;
}

/** An answer, or what is wrong with the request (a string: answered 4xx and kept as a problem). */
export type CommentAnswer = [number, unknown] | string;

const MAX_BODY = 65_536;

/** Answers a comment request; undefined when `path` is no comment path. */
export function commentRoute(spec: ForgeSpec, comments: StoredComment[], req: IncomingMessage, path: string, body: string): CommentAnswer | undefined {
  const [pathname = '', search = ''] = path.split('?');
  const repo = spec.provider === 'gitlab' ? `/api/v4/projects/${/^\d+$/.test(spec.repository) ? spec.repository : encodeURIComponent(spec.repository)}`
    : `${spec.provider === 'gitea' ? '/api/v1' : ''}/repos/${spec.repository}`;
  const list = spec.provider === 'gitlab' ? /^\/merge_requests\/(\d+)\/notes$/ : /^\/issues\/(\d+)\/comments$/;
  const edit = spec.provider === 'gitlab' ? /^\/merge_requests\/(\d+)\/notes\/(\d+)$/ : /^\/issues\/comments\/(\d+)$/;
  if (!pathname.startsWith(`${repo}/`)) return undefined;
  const rest = pathname.slice(repo.length);
  const onList = list.exec(rest);
  const onEdit = edit.exec(rest);
  if (!onList && !onEdit) return undefined;
  const auth = spec.provider === 'gitlab' ? req.headers['private-token'] : req.headers.authorization;
  if (auth !== { github: `Bearer ${spec.token}`, gitea: `token ${spec.token}`, gitlab: spec.token }[spec.provider]) return 'auth: the token is missing or wrong';
  if (onList && req.method === 'GET') return listAnswer(spec, comments, Number(onList[1]), new URLSearchParams(search));
  const text = commentText(req, body);
  if (typeof text !== 'string') return text.problem;
  if (onList && req.method === 'POST') {
    const comment = { id: 1000 + comments.length, number: Number(onList[1]), body: text, edits: 0 };
    comments.push(comment);
    return [201, { id: comment.id, body: comment.body }];
  }
  const editMethod = spec.provider === 'gitlab' ? 'PUT' : 'PATCH';
  if (!onEdit || req.method !== editMethod) return `method ${req.method} on ${pathname}`;
  const id = Number(onEdit[spec.provider === 'gitlab' ? 2 : 1]);
  const found = comments.find((c) => c.id === id && (spec.provider !== 'gitlab' || c.number === Number(onEdit[1])));
  if (!found) return [404, { message: 'Not Found' }];
  found.body = text;
  found.edits++;
  return [200, { id: found.id, body: found.body }];
}

function listAnswer(spec: ForgeSpec, comments: StoredComment[], number: number, query: URLSearchParams): CommentAnswer {
  const all = comments.filter((c) => c.number === number).map((c) => ({ id: c.id, body: c.body, ...(spec.provider === 'gitlab' ? { system: false } : { user: { login: 'someone' } }) }));
  if (spec.provider === 'gitea') return [200, all];
  const perPage = Number(query.get('per_page') ?? (spec.provider === 'gitlab' ? 20 : 30));
  const page = Number(query.get('page') ?? 1);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100 || !Number.isInteger(page) || page < 1) return `per_page ${perPage} or page ${page} out of range`;
  return [200, all.slice((page - 1) * perPage, page * perPage)];
}

function commentText(req: IncomingMessage, body: string): string | { problem: string } {
  if (!String(req.headers['content-type']).startsWith('application/json')) return { problem: `content-type ${req.headers['content-type']}` };
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return { problem: 'body is not JSON' };
  }
  const keys = Object.keys(json);
  if (keys.length !== 1 || typeof json.body !== 'string') return { problem: `body fields ${keys.join(', ')}, expected body` };
  if (json.body.length > MAX_BODY) return { problem: `body of ${json.body.length} characters, more than ${MAX_BODY}` };
  return json.body;
}
