import {
  chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DroverError } from '../../../manifests/errors.js';
import { createGitSource } from '../../../controller/source/index.js';
import { createTestRepo, type TestRepo } from './git-fixture.js';
import { rejection, sourceSpec } from './support.js';

const spec = sourceSpec;

describe('git source on local repositories', () => {
  let repo: TestRepo;
  let workDir: string;
  beforeEach(() => {
    repo = createTestRepo();
    workDir = mkdtempSync(join(tmpdir(), 'drover-source-work-'));
  });
  afterEach(() => {
    repo.remove();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('fetches a branch from a path into a read-only snapshot with the sub-path', async () => {
    const commit = repo.commit({ 'deploy/drover.yaml': 'version: 1\n', 'deploy/run.sh': '#!/bin/sh\n', 'README': 'hi\n' });
    repo.git(['update-index', '--chmod=+x', 'deploy/run.sh']);
    repo.git(['commit', '--quiet', '-m', 'exec']);
    const head = repo.git(['rev-parse', 'HEAD']);
    expect(head).not.toBe(commit);
    repo.push();
    const source = createGitSource({ spec: spec(repo.bare, { path: 'deploy' }), workDir, clock: { now: () => 1234 } });
    const revision = await source.fetchRevision();
    expect(revision).toEqual({ name: `main@sha1:${head}`, commit: head, dir: join(workDir, 'snapshots', head, 'deploy'), fetchedAt: 1234 });
    expect(readFileSync(join(revision.dir, 'drover.yaml'), 'utf8')).toBe('version: 1\n');
    expect(statSync(join(revision.dir, 'run.sh')).mode & 0o777).toBe(0o555);
    expect(statSync(join(revision.dir, 'drover.yaml')).mode & 0o777).toBe(0o444);
    expect(statSync(revision.dir).mode & 0o777).toBe(0o555);
    expect(existsSync(join(workDir, 'snapshots', head, '.git'))).toBe(false);
  });

  it('fetches over file:// and reuses the snapshot of a commit it already has', async () => {
    const commit = repo.commit({ 'drover.yaml': 'a\n' });
    repo.push();
    const source = createGitSource({ spec: spec(`file://${repo.bare}`), workDir });
    const one = await source.fetchRevision();
    const again = await source.fetchRevision();
    expect(again.dir).toBe(one.dir);
    expect(statSync(again.dir).ino).toBe(statSync(one.dir).ino);
    expect(statSync(again.dir).ctimeMs).toBe(statSync(one.dir).ctimeMs);
    expect(one.commit).toBe(commit);
  });

  it('keeps symlinks as symlinks', async () => {
    repo.commit({ 'drover.yaml': 'a\n' });
    symlinkSync('drover.yaml', join(repo.work, 'alias.yaml'));
    const commit = repo.commit({});
    repo.push();
    const revision = await createGitSource({ spec: spec(repo.bare), workDir }).fetchRevision();
    expect(revision.commit).toBe(commit);
    expect(readlinkSync(join(revision.dir, 'alias.yaml'))).toBe('drover.yaml');
  });

  it.each([
    ['an absolute path', '/etc/hostname'],
    ['a path above the repository', '../../../outside'],
  ])('refuses a symlink to %s: E_SOURCE_UNSAFE_SYMLINK (stalled), no snapshot', async (_, target) => {
    repo.commit({ 'drover.yaml': 'a\n' });
    mkdirSync(join(repo.work, 'templates', 'web'), { recursive: true });
    symlinkSync(target, join(repo.work, 'templates', 'web', 'motd'));
    const commit = repo.commit({});
    repo.push();
    const error = await rejection(createGitSource({ spec: spec(repo.bare), workDir }).fetchRevision());
    expect(error.code).toBe('E_SOURCE_UNSAFE_SYMLINK');
    expect(error.kind).toBe('stalled');
    expect(error.message).toContain(`templates/web/motd -> ${target}`);
    expect(error.message).toContain(commit);
    expect(readdirSync(join(workDir, 'snapshots'))).toEqual([]);
  });

  it('follows the branch as it moves, one snapshot per commit, and prunes all but the kept ones', async () => {
    const source = createGitSource({ spec: spec(repo.bare), workDir });
    const commits: string[] = [];
    for (const n of [1, 2, 3]) {
      commits.push(repo.commit({ 'drover.yaml': `n: ${n}\n` }));
      repo.push();
      const revision = await source.fetchRevision();
      expect(revision.commit).toBe(commits.at(-1));
      expect(readFileSync(join(revision.dir, 'drover.yaml'), 'utf8')).toBe(`n: ${n}\n`);
    }
    const snapshots = join(workDir, 'snapshots');
    expect(readdirSync(snapshots).sort()).toEqual([...commits].sort());
    await source.pruneSnapshots(new Set([commits[0]!, commits[2]!]));
    expect(readdirSync(snapshots).sort()).toEqual([commits[0]!, commits[2]!].sort());
    await source.pruneSnapshots(new Set());
    expect(readdirSync(snapshots)).toEqual([]);
    const back = await source.fetchRevision();
    expect(readFileSync(join(back.dir, 'drover.yaml'), 'utf8')).toBe('n: 3\n');
  });

  it('follows an annotated tag and a pinned commit, with their revision names', async () => {
    const tagged = repo.commit({ 'drover.yaml': 'tagged\n' });
    repo.git(['tag', '-a', '-m', 'release', 'v1']);
    const later = repo.commit({ 'drover.yaml': 'later\n' });
    repo.push();
    repo.push('v1');
    const tag = await createGitSource({ spec: spec(repo.bare, { ref: { tag: 'v1' } }), workDir }).fetchRevision();
    expect(tag.name).toBe(`v1@sha1:${tagged}`);
    expect(readFileSync(join(tag.dir, 'drover.yaml'), 'utf8')).toBe('tagged\n');
    const pinned = await createGitSource({ spec: spec(repo.bare, { ref: { commit: later } }), workDir }).fetchRevision();
    expect(pinned.name).toBe(`sha1:${later}`);
    expect(readFileSync(join(pinned.dir, 'drover.yaml'), 'utf8')).toBe('later\n');
  });

  it('follows a pinned commit that no branch or tag points at', async () => {
    repo.commit({ 'drover.yaml': '1\n' });
    const middle = repo.commit({ 'drover.yaml': '2\n' });
    repo.commit({ 'drover.yaml': '3\n' });
    repo.push();
    const pinned = await createGitSource({ spec: spec(`file://${repo.bare}`, { ref: { commit: middle } }), workDir }).fetchRevision();
    expect(pinned.commit).toBe(middle);
    expect(readFileSync(join(pinned.dir, 'drover.yaml'), 'utf8')).toBe('2\n');
  });

  it('says which ref is missing: E_SOURCE_REF_NOT_FOUND (stalled)', async () => {
    repo.commit({ 'drover.yaml': 'a\n' });
    repo.push();
    for (const ref of [{ branch: 'nope' }, { tag: 'v9' }, { commit: 'f'.repeat(40) }]) {
      const error = await rejection(createGitSource({ spec: spec(repo.bare, { ref }), workDir }).fetchRevision());
      expect(error.code).toBe('E_SOURCE_REF_NOT_FOUND');
      expect(error.kind).toBe('stalled');
      expect(error.message).toMatch(/nope|v9|f{40}/);
      expect(error.message).toContain('check the ref');
    }
  });

  it('keeps its snapshots while the remote is gone (E_SOURCE_FETCH, transient) and recovers when it is back', async () => {
    const first = repo.commit({ 'drover.yaml': 'a\n' });
    repo.push();
    const source = createGitSource({ spec: spec(repo.bare), workDir });
    const before = await source.fetchRevision();
    const away = `${repo.bare}.away`;
    renameSync(repo.bare, away);
    const error = await rejection(source.fetchRevision());
    expect(error.code).toBe('E_SOURCE_FETCH');
    expect(error.kind).toBe('transient');
    expect(error.message).toContain(repo.bare);
    expect(error.message).toContain('does not appear to be a git repository');
    expect(readFileSync(join(before.dir, 'drover.yaml'), 'utf8')).toBe('a\n');
    renameSync(away, repo.bare);
    expect((await source.fetchRevision()).commit).toBe(first);
    const second = repo.commit({ 'drover.yaml': 'b\n' });
    repo.push();
    expect((await source.fetchRevision()).commit).toBe(second);
  });

  it('refuses a rewritten branch, also after a restart, unless allowNonFastForward', async () => {
    const base = repo.commit({ 'drover.yaml': 'a\n' });
    const accepted = repo.commit({ 'drover.yaml': 'b\n' });
    repo.push();
    expect((await createGitSource({ spec: spec(repo.bare), workDir }).fetchRevision()).commit).toBe(accepted);
    repo.git(['reset', '--quiet', '--hard', base]);
    const rewritten = repo.commit({ 'drover.yaml': 'c\n' }, 'rewrite');
    repo.push('main', true);
    // A new source on the same workDir: the accepted commit survived the "restart".
    const restarted = createGitSource({ spec: spec(repo.bare), workDir });
    const error = await rejection(restarted.fetchRevision());
    expect(error.code).toBe('E_SOURCE_NON_FAST_FORWARD');
    expect(error.kind).toBe('stalled');
    expect(error.message).toContain(rewritten);
    expect(error.message).toContain(accepted);
    expect(error.message).toContain('allowNonFastForward');
    expect(existsSync(join(workDir, 'snapshots', rewritten))).toBe(false);
    // Refused again on the next poll: nothing changed.
    expect((await rejection(restarted.fetchRevision())).code).toBe('E_SOURCE_NON_FAST_FORWARD');
    const allowed = await createGitSource({ spec: spec(repo.bare, { allowNonFastForward: true }), workDir }).fetchRevision();
    expect(allowed.commit).toBe(rewritten);
    // The rewrite is now the accepted base: a commit on top of it is a fast-forward.
    const next = repo.commit({ 'drover.yaml': 'd\n' });
    repo.push();
    expect((await createGitSource({ spec: spec(repo.bare), workDir }).fetchRevision()).commit).toBe(next);
  });

  it('serialises concurrent fetches: one snapshot, the same revision for every caller', async () => {
    const commit = repo.commit({ 'drover.yaml': 'a\n' });
    repo.push();
    const source = createGitSource({ spec: spec(repo.bare), workDir });
    const revisions = await Promise.all([source.fetchRevision(), source.fetchRevision(), source.pruneSnapshots(new Set()), source.fetchRevision()]);
    expect(revisions.filter(Boolean).map((r) => r && r.commit)).toEqual([commit, commit, commit]);
    expect(readdirSync(join(workDir, 'snapshots'))).toEqual([commit]);
  });

  it('removes leftovers of an interrupted snapshot', async () => {
    repo.commit({ 'drover.yaml': 'a\n' });
    repo.push();
    const source = createGitSource({ spec: spec(repo.bare), workDir });
    const leftover = join(workDir, 'snapshots', '.tmp-0123456789ab-x1');
    mkdirSync(join(leftover, 'sub'), { recursive: true });
    writeFileSync(join(leftover, 'sub', 'half.yaml'), 'x');
    chmodSync(join(leftover, 'sub'), 0o555);
    const revision = await source.fetchRevision();
    expect(readdirSync(join(workDir, 'snapshots'))).toEqual([revision.commit]);
  });

  it('refuses to guess when the accepted file is damaged: E_SOURCE_STATE (stalled)', async () => {
    repo.commit({ 'drover.yaml': 'a\n' });
    repo.push();
    const source = createGitSource({ spec: spec(repo.bare), workDir });
    await source.fetchRevision();
    writeFileSync(join(workDir, 'accepted'), '{"ref": "refs/heads/main", "commit": "nope"');
    repo.commit({ 'drover.yaml': 'b\n' });
    repo.push();
    const error = await rejection(source.fetchRevision());
    expect(error.code).toBe('E_SOURCE_STATE');
    expect(error.message).toContain(join(workDir, 'accepted'));
    expect(error.message).toContain('remove it to accept');
  });

  it('recovers from lock files a killed controller left in the mirror', async () => {
    repo.commit({ 'drover.yaml': 'a\n' });
    repo.push();
    await createGitSource({ spec: spec(repo.bare), workDir }).fetchRevision();
    for (const lock of ['refs/heads/main.lock', 'packed-refs.lock', 'refs/drover/accepted.lock']) writeFileSync(join(workDir, 'mirror', lock), '');
    const next = repo.commit({ 'drover.yaml': 'b\n' });
    repo.push();
    const restarted = createGitSource({ spec: spec(repo.bare), workDir });
    expect((await restarted.fetchRevision()).commit).toBe(next);
  });

  it('refuses an invalid spec before touching anything: E_SOURCE_CONFIG', () => {
    const bad = spec('-oProxyCommand=x', { ref: { branch: '--upload-pack=x' }, path: '../x', timeoutMs: 0 });
    expect(() => createGitSource({ spec: bad, workDir })).toThrow(DroverError);
    try {
      createGitSource({ spec: bad, workDir });
    } catch (error) {
      expect((error as DroverError).code).toBe('E_SOURCE_CONFIG');
      expect((error as DroverError).message).toMatch(/url: .*ref\.branch: .*path: .*timeoutMs:/);
    }
    expect(existsSync(join(workDir, 'mirror'))).toBe(false);
  });
});
