import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitSource } from '../../../controller/source/index.js';
import { loadRepository } from '../../../manifests/load.js';
import { ROOT } from '../../support/paths.js';
import { createTestRepo, type TestRepo } from './git-fixture.js';
import { sourceSpec, tempDir } from './support.js';

describe('a snapshot is a manifest repository loadRepository reads', () => {
  let repo: TestRepo;
  const work = tempDir('drover-source-load-');
  beforeAll(() => {
    repo = createTestRepo();
    cpSync(join(ROOT, 'examples', 'quickstart'), join(repo.work, 'infra', 'drover'), { recursive: true });
    repo.commit({ 'README.md': 'app repository with its manifests below infra/drover\n' });
    repo.push();
  });
  afterAll(() => {
    repo?.remove();
    work.remove();
  });

  it('loads the quickstart example from the snapshot sub-path, same as from the work tree', async () => {
    const revision = await createGitSource({ spec: sourceSpec(repo.bare, { path: 'infra/drover' }), workDir: work.path }).fetchRevision();
    const fromSnapshot = await loadRepository(revision.dir);
    const fromWorkTree = await loadRepository(join(repo.work, 'infra', 'drover'));
    expect(fromSnapshot.problems).toEqual([]);
    expect(fromSnapshot.hosts.length).toBeGreaterThan(0);
    expect(fromSnapshot.hosts).toEqual(fromWorkTree.hosts);
  });
});
