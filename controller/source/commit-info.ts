/**
 * What a person recognises a commit by (subject, author, time) and how far one commit is behind
 * another, read from the bare mirror. Used by the status page; never fetches.
 */
import { GitCommandFailure } from './git-run.js';
import type { Git } from './mirror.js';
import { isCommitId } from './ref.js';

/** One commit as the status page shows it. */
export interface CommitInfo {
  commit: string;
  /** First line of the message (cut to 200 characters). */
  subject: string;
  author: string;
  /** Committer time, epoch ms. */
  time: number;
  /** Commits on the way from this one to the newest (`git rev-list --count this..newest`); absent when unknown (not an ancestor, not in the mirror). */
  behind?: number;
}

const SEP = '\u001f';

/**
 * Reads `commits` (40-hex ids) from the mirror: one `git log --no-walk` for all of them, then one
 * rev-list per commit that is not `newest`. Commits the mirror does not hold are left out; never throws
 * for a missing commit (resolves with what it found).
 */
export async function readCommitInfo(git: Git, commits: readonly string[], newest?: string): Promise<CommitInfo[]> {
  const wanted = [...new Set(commits)].filter(isCommitId);
  const found: CommitInfo[] = [];
  for (const commit of wanted) {
    const line = await git(['log', '-1', '--no-walk', `--format=%H${SEP}%an${SEP}%ct${SEP}%s`, commit, '--']).catch(missing);
    const [id, author, time, ...subject] = (line ?? '').trim().split(SEP);
    if (!id || !author || !time) continue;
    found.push({ commit: id, author, time: Number(time) * 1000, subject: subject.join(SEP).slice(0, 200) });
  }
  if (newest === undefined || !isCommitId(newest)) return found;
  for (const info of found) {
    if (info.commit === newest) {
      info.behind = 0;
      continue;
    }
    const count = await git(['rev-list', '--count', `${info.commit}..${newest}`, '--']).catch(missing);
    if (count !== undefined && /^\d+\s*$/.test(count)) info.behind = Number(count.trim());
  }
  return found;
}

/** A commit the mirror does not hold (pruned, never fetched) is no error: it is left out. */
function missing(error: unknown): undefined {
  if (error instanceof GitCommandFailure) return undefined;
  throw error;
}
