/**
 * A commit of a local Git repository (the one the manifests are in) as a read-only tree in a temp
 * dir, for `drover plan --ref`: a branch, tag, commit or `origin/...` as the repository's own git
 * resolves it. The working tree, the index and every ref stay as they are.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DroverError } from '../../manifests/errors.js';
import { GitCommandFailure, runGit } from './git-run.js';
import type { Git } from './mirror.js';
import { materialiseSnapshot, pruneSnapshotDirs } from './snapshot.js';

/** A materialised ref. */
export interface LocalRefTree {
  ref: string;
  /** 40 hex. */
  commit: string;
  /** The manifest directory at that commit (the tree's root plus the sub-path the directory had). */
  dir: string;
  /** Removes the tree. */
  remove(): Promise<void>;
}

/**
 * Materialises `ref` of the Git repository holding `dir` (a directory inside its work tree, e.g.
 * the manifest repository or a sub-directory of it). Throws E_USAGE when `dir` is not in a Git work
 * tree, E_SOURCE_REF_NOT_FOUND when git cannot resolve `ref` to a commit, E_REPO_NOT_FOUND when the
 * commit has no such sub-directory, E_SOURCE_UNSAFE_SYMLINK for a symlink leaving the tree.
 */
export async function materialiseLocalRef(options: { dir: string; ref: string; timeoutMs?: number }): Promise<LocalRefTree> {
  const git = localGit(options.dir, options.timeoutMs ?? 60_000);
  const top = await git(['rev-parse', '--show-toplevel']).catch((error: unknown) => {
    throw new DroverError('E_USAGE', `--ref needs the manifests in a Git repository, and ${options.dir} is not in one (${failureText(error)})`);
  });
  const prefix = (await git(['rev-parse', '--show-prefix'])).trim();
  const commit = (await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${options.ref}^{commit}`]).catch(() => {
    throw new DroverError('E_SOURCE_REF_NOT_FOUND', `${JSON.stringify(options.ref)} is not a branch, tag or commit of the Git repository at ${top.trim()}; check the name (git branch -a), or git fetch it first`);
  })).trim();
  const temp = await mkdtemp(join(tmpdir(), 'drover-ref-'));
  const remove = async (): Promise<void> => {
    await pruneSnapshotDirs(temp, new Set());
    await rm(temp, { recursive: true, force: true });
  };
  try {
    const root = await materialiseSnapshot(localGit(top.trim(), options.timeoutMs ?? 60_000), { snapshotsDir: temp, commit });
    const dir = join(root, prefix);
    if (!(await stat(dir).then((s) => s.isDirectory(), () => false))) {
      throw new DroverError('E_REPO_NOT_FOUND', `${prefix.replace(/\/$/, '')} does not exist at ${options.ref} (${commit.slice(0, 12)}); the manifests are elsewhere in that revision`);
    }
    return { ref: options.ref, commit, dir, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** git in `cwd` with the user's own configuration (filters such as LFS apply), C locale, no prompts. */
function localGit(cwd: string, timeoutMs: number): Git {
  const base: Record<string, string> = { LC_ALL: 'C', LANG: 'C', GIT_TERMINAL_PROMPT: '0' };
  for (const name of ['PATH', 'HOME', 'XDG_CONFIG_HOME']) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  return (args, opts = {}) => runGit({ cwd: opts.cwd ?? cwd, args, env: { ...base, ...opts.env }, timeoutMs });
}

function failureText(error: unknown): string {
  const text = error instanceof GitCommandFailure ? error.output : String(error);
  return text.split('\n')[0]?.replace(/^fatal: /, '') || 'git failed';
}
