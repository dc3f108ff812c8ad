/**
 * Commits as the status page shows them, read from the source's real bare mirror: subject, author and
 * time of each, how far behind the newest, and commits the mirror lacks left out (never an error).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitSource } from '../../../controller/source/index.js';
import { createCommitCatalog } from '../../../controller/daemon/commits.js';
import { createTestRepo, type TestRepo } from './git-fixture.js';
import { sourceSpec } from './support.js';

describe('describeCommits', () => {
  let repo: TestRepo;
  let workDir: string;
  beforeEach(() => {
    repo = createTestRepo();
    workDir = mkdtempSync(join(tmpdir(), 'drover-commit-info-'));
  });
  afterEach(() => {
    repo.remove();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('reads subject, author and time, counts commits behind the newest, and leaves out unknown commits', async () => {
    const first = repo.commit({ 'drover.yaml': 'a\n' }, 'First <b>commit</b>\n\nA body that is not shown.');
    const second = repo.commit({ 'drover.yaml': 'b\n' }, 'Second');
    const third = repo.commit({ 'drover.yaml': 'c\n' }, 'Third');
    repo.push();
    const source = createGitSource({ spec: sourceSpec(repo.bare), workDir });
    expect(await source.describeCommits([first], third)).toEqual([]);  // nothing fetched yet: no mirror
    await source.fetchRevision();
    const infos = await source.describeCommits([first, second, third, 'f'.repeat(40), 'not-a-commit'], third);
    expect(infos.map((i) => [i.subject, i.behind])).toEqual([['First <b>commit</b>', 2], ['Second', 1], ['Third', 0]]);
    expect(infos[0]!.author).toBe('Test');
    expect(infos[0]!.time).toBeGreaterThan(Date.UTC(2020, 0, 1));
    expect(infos[0]!.time % 1000).toBe(0);
  });

  it('answers by revision name through the catalog, asking git once per commit', async () => {
    const first = repo.commit({ 'drover.yaml': 'a\n' }, 'First');
    const second = repo.commit({ 'drover.yaml': 'b\n' }, 'Second');
    repo.push();
    const source = createGitSource({ spec: sourceSpec(repo.bare), workDir });
    await source.fetchRevision();
    let asked = 0;
    const catalog = createCommitCatalog({ describeCommits: (commits, newest) => { asked += commits.length; return source.describeCommits(commits, newest); } });
    const names = [`main@sha1:${first}`, `main@sha1:${second}`, 'garbage'];
    const answer = await catalog.describe(names, `main@sha1:${second}`);
    expect(Object.fromEntries(Object.entries(answer).map(([k, v]) => [k, `${v.subject} ${v.behind}`]))).toEqual({ [names[0]!]: 'First 1', [names[1]!]: 'Second 0' });
    await catalog.describe(names, `main@sha1:${second}`);
    expect(asked).toBe(2);
  });
});
