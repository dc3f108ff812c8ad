/**
 * Real git repositories for the source tests: a bare remote in a temp dir and a work repository
 * that commits and pushes to it, with git isolated from the machine's config.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The environment the test's own git commands run with: no user or system config, a fixed author. */
export const TEST_GIT_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LC_ALL: 'C',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com',
};

/** Runs git in `cwd` and returns its trimmed stdout; throws with stderr on failure. */
export function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync('git', args, { cwd, env: { ...TEST_GIT_ENV, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** A temp dir holding `remote.git` (bare) and `work` (a clone that pushes to it). */
export interface TestRepo {
  root: string;
  bare: string;
  work: string;
  /** Writes `files` (path -> content) in work, commits them and returns the commit id. */
  commit(files: Record<string, string>, message?: string, extraArgs?: string[]): string;
  /** Pushes `branch` (or a tag) to the bare remote; `force` for a rewrite. */
  push(ref?: string, force?: boolean): void;
  /** Runs git in work. */
  git(args: string[], env?: NodeJS.ProcessEnv): string;
  remove(): void;
}

/** Creates a bare remote and a work repository on branch `main` (no commit yet). */
export function createTestRepo(): TestRepo {
  const root = mkdtempSync(join(tmpdir(), 'drover-source-'));
  const bare = join(root, 'remote.git');
  const work = join(root, 'work');
  git(root, ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  git(root, ['init', '--quiet', '--initial-branch=main', work]);
  git(work, ['remote', 'add', 'origin', bare]);
  return {
    root, bare, work,
    commit(files, message = 'change', extraArgs = []) {
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(work, path)), { recursive: true });
        writeFileSync(join(work, path), content);
      }
      git(work, ['add', '--all']);
      git(work, ['commit', '--quiet', '--allow-empty', '-m', message, ...extraArgs]);
      return git(work, ['rev-parse', 'HEAD']);
    },
    push(ref = 'main', force = false) {
      git(work, ['push', '--quiet', ...(force ? ['--force'] : []), 'origin', ref]);
    },
    git: (args, env) => git(work, args, env),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
