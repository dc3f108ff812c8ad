/**
 * What a finished preview of a pull request posts: the status (state, `N hosts change, M fail`, the
 * preview's context and markdown URL on the head commit) and the comment; nothing for an API preview,
 * an unfinished one, or a request of the other forge.
 */
import { describe, expect, it } from 'vitest';
import type { PreviewView } from '../../../../controller/daemon/previews/types.js';
import { previewPosts, verdict } from '../../../../controller/daemon/report/preview-report.js';
import type { HostPreview } from '../../../../controller/reconcile/preview/types.js';

const SHA = 'a'.repeat(40);
const host = (name: string, result: HostPreview['result'], steps = 0): HostPreview => ({
  host: name, address: '10.0.0.1:22', result, diff: [], steps: Array.from({ length: steps }, (_, i) => ({ name: `write_${i}`, action: 'update' as const, reasons: [] })),
});
const preview = (p: Partial<PreviewView>): PreviewView => ({
  previewId: 'p1-1', ref: SHA, trigger: 'webhook', state: 'done', createdAt: 1, revision: `sha1:${SHA}`, commit: SHA,
  validation: { valid: true, problems: [] }, hosts: [host('web1', 'changes', 2), host('web2', 'in-sync'), host('web3', 'changes', 1)],
  pullRequest: { provider: 'github', number: 12, headSha: SHA, headRef: 'feature', action: 'opened' }, ...p,
});

describe('verdict', () => {
  it.each([
    ['valid, changes only', preview({}), 'success', '2 hosts change, 0 fail'],
    ['a host unreachable', preview({ hosts: [host('web1', 'changes', 1), host('web2', 'unreachable')] }), 'failure', '1 host changes, 1 fails'],
    ['invalid', preview({ validation: { valid: false, problems: ['hosts/web3.yaml:4:1  adress  unknown field', 'b'] }, hosts: [] }), 'failure', 'invalid, 2 problems: hosts/web3.yaml:4:1 adress unknown field'],
    ['failed', preview({ state: 'failed', validation: undefined, hosts: [], error: { code: 'E_SHUTDOWN', message: 'stopped' } }), 'failure', 'preview failed: E_SHUTDOWN stopped'],
  ])('%s', (_name, p, state, description) => {
    expect(verdict(p)).toEqual({ state, description });
  });
});

describe('previewPosts', () => {
  it('a status on the head commit under <context>/preview, linking to the markdown; the markdown as the comment', () => {
    const posts = previewPosts(preview({}), 'github', { context: 'drover', publicUrl: 'https://drover.example.com' });
    expect(posts?.status).toEqual({
      sha: SHA, revision: `sha1:${SHA}`, state: 'success', description: '2 hosts change, 0 fail', context: 'drover/preview',
      targetUrl: 'https://drover.example.com/api/v1/previews/p1-1?format=markdown',
    });
    expect(posts?.comment.number).toBe(12);
    expect(posts?.comment.markdown).toMatch(/^### drover preview of `pull request #12 \(feature\)`/);
  });

  it('nothing for an API preview, an unfinished one, or a request of the other forge', () => {
    expect(previewPosts(preview({ pullRequest: undefined }), 'github', { context: 'drover' })).toBeUndefined();
    expect(previewPosts(preview({ state: 'running' }), 'github', { context: 'drover' })).toBeUndefined();
    expect(previewPosts(preview({}), 'gitlab', { context: 'drover' })).toBeUndefined();
    const mr = preview({ pullRequest: { provider: 'gitlab', number: 3, headSha: SHA, action: 'open' } });
    expect(previewPosts(mr, 'github', { context: 'drover' })).toBeUndefined();
    expect(previewPosts(mr, 'gitlab', { context: 'drover' })?.status.targetUrl).toBeUndefined();
    expect(previewPosts(preview({}), 'gitea', { context: 'drover' })?.comment.number).toBe(12);
  });
});
