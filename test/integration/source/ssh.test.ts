import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitSource } from '../../../controller/source/index.js';
import { useFleet } from '../../support/fleet.js';
import { sshRun } from '../../support/ssh.js';
import { createTestRepo, type TestRepo } from './git-fixture.js';
import { rejection, sourceSpec, tempDir } from './support.js';

const REMOTE = '/srv/manifests.git';

describe('git source over ssh from a fleet host (deploy key, verified host key)', () => {
  // host2 presents a host key other than the one known_hosts names for it.
  const env = useFleet({ count: 2, name: 'source-ssh', wrongHostKey: [1] });
  let repo: TestRepo;
  let head: string;
  const work = tempDir('drover-source-ssh-');
  let n = 0;
  const workDir = () => join(work.path, String((n += 1)));

  beforeAll(async () => {
    await sshRun(env.fleet, 'host1', `git init --quiet --bare --initial-branch=main ${REMOTE}`);
    repo = createTestRepo();
    head = repo.commit({ 'deploy/drover.yaml': 'over ssh\n' });
    // The test pushes to the real bare remote on host1 over ssh, with the fleet's own ssh config.
    repo.git(['push', '--quiet', `host1:${REMOTE}`, 'main'], { GIT_SSH_COMMAND: `ssh -F ${env.fleet.sshConfigFile}` });
  });
  afterAll(() => {
    repo?.remove();
    work.remove();
  });

  it('fetches from user@host:path with the deploy key', async () => {
    const host = env.fleet.hosts[0]!;
    const spec = sourceSpec(`root@${host.address}:${REMOTE}`, { path: 'deploy', sshKeyFile: env.fleet.clientKeyFile, knownHostsFile: env.fleet.knownHostsFile });
    const revision = await createGitSource({ spec, workDir: workDir() }).fetchRevision();
    expect(revision.commit).toBe(head);
    expect(readFileSync(join(revision.dir, 'drover.yaml'), 'utf8')).toBe('over ssh\n');
  });

  it('fetches from ssh://host:port/path (known_hosts entry [127.0.0.1]:PORT)', async () => {
    const host = env.fleet.hosts[0]!;
    const spec = sourceSpec(`ssh://root@127.0.0.1:${host.localPort}${REMOTE}`, { sshKeyFile: env.fleet.clientKeyFile, knownHostsFile: env.fleet.knownHostsFile });
    expect((await createGitSource({ spec, workDir: workDir() }).fetchRevision()).commit).toBe(head);
  });

  it('refuses a host whose key does not match known_hosts: E_SOURCE_HOST_KEY (stalled)', async () => {
    const host = env.fleet.hosts[1]!;
    const spec = sourceSpec(`root@${host.address}:${REMOTE}`, { sshKeyFile: env.fleet.clientKeyFile, knownHostsFile: env.fleet.knownHostsFile });
    const error = await rejection(createGitSource({ spec, workDir: workDir() }).fetchRevision());
    expect(error.code).toBe('E_SOURCE_HOST_KEY');
    expect(error.kind).toBe('stalled');
    expect(error.message).toContain(`root@${host.address}:${REMOTE}`);
    expect(error.message).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(error.message).toMatch(/SHA256:\S+/);
    expect(error.message).not.toContain('@@@');
    expect(error.message).toContain(env.fleet.knownHostsFile);
    expect(error.message).toContain('never trusts a host key on first use');
  });

  it('refuses a host that is not in known_hosts, and does not add it (no trust on first use)', async () => {
    const empty = join(work.path, 'empty_known_hosts');
    writeFileSync(empty, '');
    const host = env.fleet.hosts[0]!;
    const spec = sourceSpec(`root@${host.address}:${REMOTE}`, { sshKeyFile: env.fleet.clientKeyFile, knownHostsFile: empty });
    for (const attempt of [1, 2]) {
      const error = await rejection(createGitSource({ spec, workDir: workDir() }).fetchRevision());
      expect(error.code, `attempt ${attempt}`).toBe('E_SOURCE_HOST_KEY');
      expect(error.message).toContain(empty);
    }
    expect(readFileSync(empty, 'utf8')).toBe('');
  });

  it('refuses a key the server does not accept: E_SOURCE_AUTH (stalled)', async () => {
    const other = join(work.path, 'other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'other', '-f', other]);
    const host = env.fleet.hosts[0]!;
    const spec = sourceSpec(`root@${host.address}:${REMOTE}`, { sshKeyFile: other, knownHostsFile: env.fleet.knownHostsFile });
    const error = await rejection(createGitSource({ spec, workDir: workDir() }).fetchRevision());
    expect(error.code).toBe('E_SOURCE_AUTH');
    expect(error.kind).toBe('stalled');
    expect(error.message).toContain('Permission denied (publickey)');
    expect(error.message).toContain(other);
  });
});
