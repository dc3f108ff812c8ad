/**
 * Refs fetched to be previewed, with real git: a branch lands in its own snapshot while the followed
 * branch keeps its commit and the mirror keeps no ref of it once the snapshot is removed; an unknown ref is E_SOURCE_REF_NOT_FOUND;
 * from a server speaking only protocol v0, a pull request's commit that no ref advertises is fetched
 * through the request's ref.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitSource } from '../../../controller/source/index.js';
import { authorizationHeader } from '../../../controller/source/git-env.js';
import { createTestRepo, git, type TestRepo } from './git-fixture.js';
import { startGitHttpServer, type GitHttpServer } from './http-git-server.js';
import { rejection, sourceSpec, tempDir } from './support.js';

const TOKEN = 'drover-test-token-preview-5c2e';

describe('previewing refs of a local repository', () => {
  let repo: TestRepo;
  const work = tempDir('drover-source-preview-');
  beforeEach(() => {
    repo = createTestRepo();
  });
  afterEach(() => {
    repo.remove();
    work.remove();
  });

  it('fetches a branch into a snapshot of its own; the followed branch and the mirror\'s refs stay', async () => {
    const main = repo.commit({ 'drover.yaml': 'main\n' });
    repo.push();
    const source = createGitSource({ spec: sourceSpec(repo.bare), workDir: work.path, clock: { now: () => 42 } });
    expect((await source.fetchRevision()).commit).toBe(main);
    repo.git(['checkout', '--quiet', '-b', 'feature']);
    const feature = repo.commit({ 'drover.yaml': 'feature\n' });
    repo.push('feature');
    const preview = await source.fetchPreview('feature');
    expect(preview).toMatchObject({ ref: 'feature', name: `feature@sha1:${feature}`, commit: feature, fetchedAt: 42 });
    expect(readFileSync(`${preview.dir}/drover.yaml`, 'utf8')).toBe('feature\n');
    // The ref that holds the commit lives as long as its snapshot.
    const previewRefs = (): string => git(`${work.path}/mirror`, ['for-each-ref', '--format=%(refname)', 'refs/drover/preview']);
    expect(previewRefs()).toMatch(/^refs\/drover\/preview\/[0-9a-f]{16}$/);
    expect((await source.fetchRevision()).commit).toBe(main);
    await preview.remove();
    expect(existsSync(preview.dir)).toBe(false);
    expect(previewRefs()).toBe('');
    const byId = await source.fetchPreview(feature);
    expect(byId.name).toBe(`sha1:${feature}`);
    await byId.remove();
    const missing = await rejection(source.fetchPreview('no-such-branch'));
    expect(missing.code).toBe('E_SOURCE_REF_NOT_FOUND');
    expect(missing.message).toContain('ref "no-such-branch" does not exist in');
    expect((await rejection(source.fetchPreview('--upload-pack=touch x'))).code).toBe('E_SOURCE_CONFIG');
  });
});

describe('previewing a pull request\'s commit from a server that speaks only protocol v0', () => {
  let repo: TestRepo;
  let server: GitHttpServer;
  const work = tempDir('drover-source-preview-v0-');
  beforeAll(async () => {
    repo = createTestRepo();
    server = await startGitHttpServer({ projectRoot: repo.root, expectedAuthorization: authorizationHeader(TOKEN), protocolV0: true });
  });
  afterAll(async () => {
    await server?.close();
    repo?.remove();
    work.remove();
  });

  it('fetches a commit on no branch or tag through the request\'s ref', async () => {
    repo.commit({ 'drover.yaml': 'main\n' });
    repo.push();
    repo.git(['checkout', '--quiet', '-b', 'fork']);
    const head = repo.commit({ 'drover.yaml': 'pull request\n' });
    // The head a webhook names, no longer the tip: the request got one more commit meanwhile.
    repo.commit({ 'drover.yaml': 'newer\n' });
    repo.push('fork:refs/pull/7/head');
    const source = createGitSource({ spec: sourceSpec(server.url('remote.git'), { token: TOKEN }), workDir: work.path });
    expect((await rejection(source.fetchPreview(head))).code).toBe('E_SOURCE_REF_NOT_FOUND');
    const preview = await source.fetchPreview(head, 'refs/pull/7/head');
    expect(preview.commit).toBe(head);
    expect(readFileSync(`${preview.dir}/drover.yaml`, 'utf8')).toBe('pull request\n');
    await preview.remove();
  });
});
