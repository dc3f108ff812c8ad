/**
 * A real Git remote for a test: a bare repository in a temp dir and a working clone on branch main that
 * the test commits and pushes to.
 *
 *   const remote = useGitRemote();       // beforeAll creates it, afterAll removes it
 *   const commit = await remote.commit({ 'hosts/web1.yaml': text }, 'first');
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';

const run = promisify(execFile);

/** Runs git in `cwd` as a test user (no signing); resolves with stdout. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd });
  return stdout;
}

/** A bare remote and a working clone on branch main. */
export interface GitRemote {
  dir: string;
  bare: string;
  work: string;
  /** Writes files (path -> content; null deletes) in the work tree, commits them and pushes; resolves with the commit. */
  commit(files: Record<string, string | null>, message?: string): Promise<string>;
  /** Commits files on branch `name` (made afresh from main), force-pushes it and goes back to main; resolves with the commit. */
  branch(name: string, files: Record<string, string | null>, message?: string): Promise<string>;
  cleanup(): Promise<void>;
}

/** Creates a bare remote in a temp dir and a clone to commit to; the caller cleans it up. */
export async function createRemote(): Promise<GitRemote> {
  const dir = await mkdtemp(join(tmpdir(), 'drover-ctl-'));
  const bare = join(dir, 'remote.git');
  const work = join(dir, 'work');
  await git(dir, 'init', '-q', '--bare', '-b', 'main', bare);
  await git(dir, 'init', '-q', '-b', 'main', work);
  await git(work, 'remote', 'add', 'origin', bare);
  return {
    dir, bare, work,
    commit: (files, message = 'change') => commitOn(work, 'main', files, message),
    async branch(name, files, message = name) {
      await git(work, 'checkout', '-q', '-B', name, 'main');
      try {
        return await commitOn(work, name, files, message, ['-f']);
      } finally {
        await git(work, 'checkout', '-q', 'main');
      }
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Writes files (null deletes) in `work`, commits them on the branch checked out and pushes it as `branch`. */
async function commitOn(work: string, branch: string, files: Record<string, string | null>, message: string, pushFlags: string[] = []): Promise<string> {
  for (const [path, content] of Object.entries(files)) {
    const full = join(work, path);
    if (content === null) await rm(full, { force: true });
    else {
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, content);
    }
  }
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '--allow-empty', '-m', message);
  await git(work, 'push', '-q', ...pushFlags, 'origin', branch);
  return (await git(work, 'rev-parse', 'HEAD')).trim();
}

/**
 * Registers the beforeAll that creates a remote (createRemote) and the afterAll that removes it, and
 * answers for that remote once the beforeAll has run. Call it at the top of a file, or of a describe.
 */
export function useGitRemote(): GitRemote {
  let remote: GitRemote | undefined;
  beforeAll(async () => {
    remote = await createRemote();
  });
  afterAll(async () => {
    await remote?.cleanup();
  });
  const ready = (): GitRemote => {
    if (!remote) throw new Error('useGitRemote: used before its beforeAll has run');
    return remote;
  };
  return {
    get dir() { return ready().dir; },
    get bare() { return ready().bare; },
    get work() { return ready().work; },
    commit: (files, message) => ready().commit(files, message),
    branch: (name, files, message) => ready().branch(name, files, message),
    cleanup: () => ready().cleanup(),
  };
}
