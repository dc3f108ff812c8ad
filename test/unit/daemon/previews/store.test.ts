/** The preview store (pure, on an injected clock): bounded in count and time, copies out, one unfinished preview per commit and base. */
import { describe, expect, it } from 'vitest';
import { PreviewStore } from '../../../../controller/daemon/previews/store.js';
import type { PreviewView } from '../../../../controller/daemon/previews/types.js';

function preview(id: string, over: Partial<PreviewView> = {}): PreviewView {
  return { previewId: id, ref: 'feature', trigger: 'api', state: 'pending', createdAt: 0, revision: `feature@sha1:${'c'.repeat(40)}`, commit: 'c'.repeat(40), hosts: [], ...over };
}

describe('PreviewStore', () => {
  it('forgets a finished preview retentionMs after it finished, never an unfinished one', () => {
    let now = 1_000;
    const store = new PreviewStore({ keep: 10, retentionMs: 500, now: () => now });
    store.add(preview('a'));
    store.add(preview('b'));
    store.update('a', { state: 'done', finishedAt: 1_000 });
    now = 1_499;
    expect(store.get('a')?.state).toBe('done');
    now = 1_500;
    expect(store.get('a')).toBeUndefined();
    now = 100_000;
    expect(store.get('b')?.state).toBe('pending');
  });

  it('makes room by dropping the oldest finished preview, and refuses a new one while `keep` are unfinished', () => {
    const store = new PreviewStore({ keep: 2, retentionMs: 60_000, now: () => 0 });
    store.add(preview('a'));
    store.add(preview('b'));
    expect(() => store.add(preview('c'))).toThrow(expect.objectContaining({ code: 'E_PREVIEW_LIMIT' }));
    store.update('b', { state: 'failed', finishedAt: 0 });
    store.add(preview('c'));
    expect([store.get('a')?.previewId, store.get('b'), store.get('c')?.previewId]).toEqual(['a', undefined, 'c']);
  });

  it('hands out copies, and finds the unfinished preview of a commit against the same base', () => {
    const store = new PreviewStore({ keep: 5, retentionMs: 60_000, now: () => 0 });
    store.add(preview('a', { base: 'main@sha1:1' }));
    store.get('a')!.hosts.push({ host: 'x', address: '', result: 'in-sync', steps: [], diff: [] });
    expect(store.get('a')!.hosts).toEqual([]);
    expect(store.unfinished('c'.repeat(40), 'main@sha1:1')?.previewId).toBe('a');
    expect(store.unfinished('c'.repeat(40), 'main@sha1:2')).toBeUndefined();
    store.update('a', { state: 'done', finishedAt: 0 });
    expect(store.unfinished('c'.repeat(40), 'main@sha1:1')).toBeUndefined();
    expect(store.update('gone', { state: 'done' })).toBeUndefined();
  });
});
