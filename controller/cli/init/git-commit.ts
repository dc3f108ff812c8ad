/**
 * `drover init`'s Git step: `git init` (branch main) and a first commit of the files it wrote, with
 * simple-git. A machine where git has no user.name/user.email yet (a fresh server) still gets its
 * commit, authored as "drover init", and is told how to set its own identity.
 */
import { simpleGit } from 'simple-git';
import { DroverError } from '../../../manifests/errors.js';

/** The first commit: its short hash, and whether drover's fallback identity signed it. */
export interface FirstCommit {
  commit: string;
  fallbackIdentity: boolean;
}

const FALLBACK = { GIT_AUTHOR_NAME: 'drover init', GIT_AUTHOR_EMAIL: 'drover-init@localhost', GIT_COMMITTER_NAME: 'drover init', GIT_COMMITTER_EMAIL: 'drover-init@localhost' };

/** The environment git runs with under the fallback identity (simple-git refuses EDITOR and friends: pass only what git needs). */
function identityEnv(): Record<string, string> {
  const kept = Object.entries(process.env).filter(([key, value]) => value !== undefined && (key === 'PATH' || key === 'HOME' || key.startsWith('GIT_CONFIG')));
  return { ...Object.fromEntries(kept) as Record<string, string>, ...FALLBACK };
}

async function configured(dir: string, key: string): Promise<boolean> {
  const value = await simpleGit(dir).raw(['config', '--get', key]).catch(() => '');
  return value.trim() !== '';
}

/**
 * Initialises `dir` as a Git repository (an existing one is kept) and commits `paths`.
 * Resolves with undefined when those files were already committed as they are. Throws E_INIT_GIT
 * with git's message when git fails (e.g. not installed).
 */
export async function commitStarter(dir: string, paths: string[]): Promise<FirstCommit | undefined> {
  try {
    await simpleGit(dir).init(['-q', '--initial-branch=main']);
    const fallbackIdentity = !(await configured(dir, 'user.name')) || !(await configured(dir, 'user.email'));
    const git = fallbackIdentity ? simpleGit(dir).env(identityEnv()) : simpleGit(dir);
    await git.add(['--', ...paths]);
    const staged = await git.diff(['--cached', '--name-only']);
    if (staged.trim() === '') return undefined;
    await git.commit('drover init: a starter manifest repository', undefined, { '--no-verify': null });
    const commit = (await git.revparse(['--short', 'HEAD'])).trim();
    return { commit, fallbackIdentity };
  } catch (err) {
    if (err instanceof DroverError) throw err;
    throw new DroverError('E_INIT_GIT', `git failed in ${dir}: ${err instanceof Error ? err.message : String(err)}; the files are written, commit them yourself`, { cause: err });
  }
}
