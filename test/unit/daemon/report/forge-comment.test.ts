/**
 * The requests that find, add and edit a preview's pull-request comment, per forge, as their APIs
 * document them (method, exact URL, auth header, body); finding the marked comment in a list answer.
 */
import { describe, expect, it } from 'vitest';
import type { ForgeTarget } from '../../../../controller/daemon/report/forge.js';
import { commentMarker, createCommentRequest, findMarkedComment, listCommentsRequest, updateCommentRequest } from '../../../../controller/daemon/report/forge-comment.js';

const target = (t: Partial<ForgeTarget>): ForgeTarget => ({ provider: 'github', apiUrl: 'https://api.github.com', repository: 'ops/fleet', context: 'drover', token: 'tok-0123456789abcdef', userAgent: 'drover', ...t });
const comment = { number: 12, markdown: '### drover preview\n' };
const body = JSON.stringify({ body: '<!-- drover-preview drover -->\n### drover preview\n' });

describe('pull-request comment requests', () => {
  it('GitHub: issues comments, paged; edit by PATCH /issues/comments/{id}; Bearer', () => {
    const t = target({});
    expect(listCommentsRequest(t, 12, 2)).toMatchObject({ method: 'GET', url: 'https://api.github.com/repos/ops/fleet/issues/12/comments?per_page=100&page=2', headers: { authorization: 'Bearer tok-0123456789abcdef' } });
    expect(listCommentsRequest(t, 12, 2).body).toBeUndefined();
    expect(createCommentRequest(t, comment)).toMatchObject({ method: 'POST', url: 'https://api.github.com/repos/ops/fleet/issues/12/comments', body });
    expect(updateCommentRequest(t, comment, 99)).toMatchObject({ method: 'PATCH', url: 'https://api.github.com/repos/ops/fleet/issues/comments/99', body });
  });

  it('GitLab: merge request notes, oldest first; edit by PUT .../notes/{id}; PRIVATE-TOKEN', () => {
    const t = target({ provider: 'gitlab', apiUrl: 'https://gitlab.com/api/v4', repository: 'infra/fleet' });
    const base = 'https://gitlab.com/api/v4/projects/infra%2Ffleet/merge_requests/12/notes';
    expect(listCommentsRequest(t, 12, 1)).toMatchObject({ method: 'GET', url: `${base}?per_page=100&page=1&sort=asc&order_by=created_at`, headers: { 'private-token': 'tok-0123456789abcdef' } });
    expect(createCommentRequest(t, comment)).toMatchObject({ method: 'POST', url: base, body });
    expect(updateCommentRequest(t, comment, 7)).toMatchObject({ method: 'PUT', url: `${base}/7`, body });
  });

  it('Gitea: under /api/v1, one unpaged list, Authorization: token', () => {
    const t = target({ provider: 'gitea', apiUrl: 'https://gitea.example.com' });
    expect(listCommentsRequest(t, 3, 1)).toMatchObject({ method: 'GET', url: 'https://gitea.example.com/api/v1/repos/ops/fleet/issues/3/comments', headers: { authorization: 'token tok-0123456789abcdef' } });
    expect(updateCommentRequest(t, { ...comment, number: 3 }, 5)).toMatchObject({ method: 'PATCH', url: 'https://gitea.example.com/api/v1/repos/ops/fleet/issues/comments/5' });
  });
});

describe('findMarkedComment', () => {
  const marker = commentMarker('drover/shard-1');

  it('finds the first comment starting with the marker of this context only', () => {
    const page = JSON.stringify([
      { id: 1, body: 'looks good' },
      { id: 2, body: `${commentMarker('drover/shard-0')}\nother shard` },
      { id: 3, body: `${marker}\nmine` },
      { id: 4, body: `${marker}\nalso mine` },
    ]);
    expect(findMarkedComment(page, marker)).toEqual({ id: 3, count: 4 });
    expect(findMarkedComment('[]', marker)).toEqual({ count: 0 });
  });

  it('a marker cannot end its HTML comment early; an answer that is no array throws', () => {
    expect(commentMarker('a--b')).toBe('<!-- drover-preview a- -b -->');
    expect(() => findMarkedComment('{"message":"Not Found"}', marker)).toThrow(/not a JSON array/);
  });
});
