/** Runs one git command through simple-git with a time limit and the source's environment. */
import { GitError, GitPluginError, simpleGit, type SimpleGitOptions } from 'simple-git';

/**
 * A git command that failed: exit code and output, or a time-out. Callers turn it into a DroverError.
 * A GitError, because simple-git wraps any other error its error hook returns.
 */
export class GitCommandFailure extends GitError {
  constructor(
    readonly output: string,
    readonly exitCode: number | undefined,
    readonly timedOut: boolean,
  ) {
    super(undefined, output);
    this.name = 'GitCommandFailure';
  }
}

/** What one git run needs: where, what, with which environment, and for how long at most. */
export interface GitRun {
  cwd: string;
  args: string[];
  env: Record<string, string>;
  timeoutMs: number;
}

// simple-git refuses these environment variables unless allowed: the source sets them itself
// (git-env.ts), never from user input, to isolate git from the machine's config.
const UNSAFE: SimpleGitOptions['unsafe'] = { allowUnsafeSshCommand: true, allowUnsafeConfigEnvCount: true, allowUnsafeConfigPaths: true };

/**
 * Runs `git <args>` in `cwd` and resolves with its stdout. Any non-zero exit is a failure
 * (simple-git alone treats an exit without stderr as success, and `verify-commit` and
 * `merge-base --is-ancestor` answer "no" exactly that way). Rejects with GitCommandFailure;
 * `timedOut` when the command ran past `timeoutMs` (it is then interrupted).
 */
export async function runGit(run: GitRun): Promise<string> {
  const signal = AbortSignal.timeout(run.timeoutMs);
  const git = simpleGit({
    baseDir: run.cwd,
    abort: signal,
    unsafe: UNSAFE,
    errors: (error, result) => {
      if (error || result.exitCode === 0) return error;
      return new GitCommandFailure(Buffer.concat([...result.stdErr, ...result.stdOut]).toString('utf8').trim(), result.exitCode, false);
    },
  }).env(run.env);
  try {
    return await git.raw(run.args);
  } catch (error) {
    if (error instanceof GitCommandFailure) throw error;
    if (signal.aborted || (error instanceof GitPluginError && error.plugin === 'abort')) {
      throw new GitCommandFailure(`git ${run.args[0]} did not finish within ${run.timeoutMs} ms`, undefined, true);
    }
    throw new GitCommandFailure(error instanceof Error ? error.message : String(error), undefined, false);
  }
}
