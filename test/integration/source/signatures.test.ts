import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitSource, type GitSource } from '../../../controller/source/index.js';
import { createTestRepo, type TestRepo } from './git-fixture.js';
import { rejection, sourceSpec, tempDir } from './support.js';

/** An ed25519 key made with ssh-keygen; returns the private key path and the public key line. */
function sshKey(dir: string, name: string): { file: string; publicKey: string } {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
  return { file, publicKey: readFileSync(`${file}.pub`, 'utf8').trim() };
}

describe('git source with verifySignatures (SSH-signed commits)', () => {
  let repo: TestRepo;
  let dirs: Record<'keys' | 'work' | 'other', ReturnType<typeof tempDir>>;
  let alice: { file: string; publicKey: string };
  let mallory: { file: string; publicKey: string };
  let allowedSigners: string;
  let source: GitSource;
  const signedBy = (key: string) => ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${key}`];
  const commit = (content: string, key?: string): string => {
    writeFileSync(join(repo.work, 'drover.yaml'), content);
    repo.git(['add', '--all']);
    repo.git([...(key ? signedBy(key) : []), 'commit', '--quiet', ...(key ? ['-S'] : []), '-m', content]);
    repo.push();
    return repo.git(['rev-parse', 'HEAD']);
  };

  beforeEach(() => {
    repo = createTestRepo();
    dirs = { keys: tempDir('drover-source-keys-'), work: tempDir('drover-source-sig-'), other: tempDir('drover-source-nosig-') };
    alice = sshKey(dirs.keys.path, 'alice');
    mallory = sshKey(dirs.keys.path, 'mallory');
    allowedSigners = join(dirs.keys.path, 'allowed_signers');
    writeFileSync(allowedSigners, `alice@example.com namespaces="git" ${alice.publicKey}\n`);
    source = createGitSource({ spec: sourceSpec(repo.bare, { verifySignatures: true, allowedSignersFile: allowedSigners }), workDir: dirs.work.path });
  });
  afterEach(() => {
    repo.remove();
    dirs.keys.remove();
    dirs.work.remove();
    dirs.other.remove();
  });

  it('accepts a commit signed by an allowed key', async () => {
    const signed = commit('a\n', alice.file);
    expect((await source.fetchRevision()).commit).toBe(signed);
  });

  it('refuses an unsigned commit and one signed by another key with E_SOURCE_SIGNATURE (stalled)', async () => {
    const good = commit('a\n', alice.file);
    expect((await source.fetchRevision()).commit).toBe(good);
    for (const key of [undefined, mallory.file]) {
      const bad = commit(`by ${key ?? 'nobody'}\n`, key);
      const error = await rejection(source.fetchRevision());
      expect(error.code).toBe('E_SOURCE_SIGNATURE');
      expect(error.kind).toBe('stalled');
      expect(error.message).toContain(bad);
      expect(error.message).toContain(allowedSigners);
      expect(error.message).toContain('sign the commit with an allowed key');
    }
    // The same commits pass without verification: the signature is what was refused.
    const unchecked = createGitSource({ spec: sourceSpec(repo.bare), workDir: dirs.other.path });
    expect((await unchecked.fetchRevision()).commit).toBe(repo.git(['rev-parse', 'HEAD']));
    // A signed commit on top is accepted again.
    const next = commit('b\n', alice.file);
    expect((await source.fetchRevision()).commit).toBe(next);
  });

  it('says why for a signed commit by an unknown key', async () => {
    commit('m\n', mallory.file);
    const error = await rejection(source.fetchRevision());
    expect(error.code).toBe('E_SOURCE_SIGNATURE');
    expect(error.message).toMatch(/git verify-commit: .*(principal|allowed)/i);
  });
});
