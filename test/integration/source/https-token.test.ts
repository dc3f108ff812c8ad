import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGitSource } from '../../../controller/source/index.js';
import { authorizationHeader } from '../../../controller/source/git-env.js';
import { createTestRepo, type TestRepo } from './git-fixture.js';
import { startGitHttpServer, type GitHttpServer } from './http-git-server.js';
import { rejection, sourceSpec, tempDir } from './support.js';

const TOKEN = 'drover-test-token-7f3a91';

/** Command lines of the machine's running git processes (read from /proc; processes that end meanwhile are skipped). */
function gitCommandLines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const line = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (/(^|\/)git(-remote-https?)? /.test(line) || line.includes('remote-http')) lines.push(line);
    } catch {
      // gone already
    }
  }
  return lines;
}

describe('git source over http(s) with a token', () => {
  let repo: TestRepo;
  let server: GitHttpServer;
  let head: string;
  /** Command lines of git processes seen while the server held a request from the source. */
  const seen: string[] = [];
  const work = tempDir('drover-source-http-');

  beforeAll(async () => {
    repo = createTestRepo();
    head = repo.commit({ 'deploy/drover.yaml': 'over http\n' });
    repo.push();
    server = await startGitHttpServer({
      projectRoot: repo.root,
      expectedAuthorization: authorizationHeader(TOKEN),
      beforeServe: async () => void seen.push(...gitCommandLines()),
    });
  });
  afterAll(async () => {
    await server?.close();
    repo?.remove();
    work.remove();
  });

  it('fetches with the right token, sent only as a header', async () => {
    const source = createGitSource({ spec: sourceSpec(server.url('remote.git'), { token: TOKEN, path: 'deploy' }), workDir: `${work.path}/good` });
    const revision = await source.fetchRevision();
    expect(revision.commit).toBe(head);
    expect(revision.name).toBe(`main@sha1:${head}`);
    expect(server.authorizations.length).toBeGreaterThan(0);
    expect(new Set(server.authorizations)).toEqual(new Set([authorizationHeader(TOKEN)]));
    // While git talked to the server, its command lines (visible to every user in ps) held no credential.
    expect(seen.filter((line) => line.includes(server.url('remote.git'))).length).toBeGreaterThan(0);
    expect(seen.filter((line) => line.includes(TOKEN) || line.includes(authorizationHeader(TOKEN).slice(6)))).toEqual([]);
  });

  it.each([
    ['a wrong token', 'wrong-token-0c1d2e'],
    ['no token', undefined],
  ])('refuses %s with E_SOURCE_AUTH (stalled), and no token in the message', async (_, token) => {
    const source = createGitSource({ spec: sourceSpec(server.url('remote.git'), { token }), workDir: `${work.path}/${token ?? 'none'}` });
    const error = await rejection(source.fetchRevision());
    expect(error.code).toBe('E_SOURCE_AUTH');
    expect(error.kind).toBe('stalled');
    expect(error.message).toContain(server.url('remote.git'));
    expect(error.message).toContain('check that the token');
    for (const secret of [TOKEN, token, token && authorizationHeader(token).slice(6)].filter(Boolean)) {
      expect(error.message).not.toContain(secret);
      expect(String(error.stack)).not.toContain(secret);
    }
  });
});

describe('git source over http from a server that speaks only protocol v0', () => {
  let repo: TestRepo;
  let server: GitHttpServer;
  const work = tempDir('drover-source-http-v0-');
  beforeAll(async () => {
    repo = createTestRepo();
    server = await startGitHttpServer({ projectRoot: repo.root, expectedAuthorization: authorizationHeader(TOKEN), protocolV0: true });
  });
  afterAll(async () => {
    await server?.close();
    repo?.remove();
    work.remove();
  });

  it('follows a pinned commit that no ref advertises (fetches all branches and tags instead)', async () => {
    repo.commit({ 'drover.yaml': '1\n' });
    const middle = repo.commit({ 'drover.yaml': '2\n' });
    repo.commit({ 'drover.yaml': '3\n' });
    repo.push();
    const source = createGitSource({ spec: sourceSpec(server.url('remote.git'), { token: TOKEN, ref: { commit: middle } }), workDir: work.path });
    expect((await source.fetchRevision()).commit).toBe(middle);
    const missing = createGitSource({ spec: sourceSpec(server.url('remote.git'), { token: TOKEN, ref: { commit: 'e'.repeat(40) } }), workDir: work.path });
    expect((await rejection(missing.fetchRevision())).code).toBe('E_SOURCE_REF_NOT_FOUND');
  });
});

describe('git source over http against a server that takes the request and never answers', () => {
  let repo: TestRepo;
  let server: GitHttpServer;
  const work = tempDir('drover-source-http-hang-');

  beforeAll(async () => {
    repo = createTestRepo();
    repo.commit({ 'drover.yaml': 'x\n' });
    repo.push();
    // Held requests are never served; close() drops their connections.
    const never = new Promise<void>(() => undefined);
    server = await startGitHttpServer({ projectRoot: repo.root, expectedAuthorization: authorizationHeader(TOKEN), beforeServe: () => never });
  });
  afterAll(async () => {
    await server?.close();
    repo?.remove();
    work.remove();
  });

  it('times out with E_SOURCE_TIMEOUT (transient) and leaves no git process behind', async () => {
    const url = server.url('remote.git');
    const source = createGitSource({ spec: sourceSpec(url, { token: TOKEN, timeoutMs: 800 }), workDir: work.path });
    const error = await rejection(source.fetchRevision());
    expect(error.code).toBe('E_SOURCE_TIMEOUT');
    expect(error.kind).toBe('transient');
    expect(error.message).toContain('800 ms');
    expect(server.authorizations.length).toBeGreaterThan(0);
    await vi.waitFor(() => expect(gitCommandLines().filter((line) => line.includes(url))).toEqual([]), { timeout: 10_000, interval: 50 });
  });
});
