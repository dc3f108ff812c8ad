/**
 * The commits behind revision names, for the status page: subject, author, time and how far behind
 * the newest fetched revision each is. Commits never change, so answers are cached (per commit and
 * newest revision, bounded); a page of 1,000 hosts on a few revisions asks git a few times at most.
 */
import { parseRevisionName, type CommitInfo, type GitSource } from '../source/index.js';

/** Answers kept at most (a new newest revision makes new keys; the oldest go first). */
const CACHE_LIMIT = 2000;

/** Reads commits for revision names. */
export interface CommitCatalog {
  /**
   * The commit of each of `revisions` (names such as `main@sha1:<hex>`), keyed by name, with `behind`
   * counted to `newest`; names that are malformed or whose commit the mirror lacks are left out.
   */
  describe(revisions: readonly string[], newest?: string): Promise<Record<string, CommitInfo>>;
}

/** A catalog over the source's mirror. */
export function createCommitCatalog(source: Pick<GitSource, 'describeCommits'>): CommitCatalog {
  const cache = new Map<string, CommitInfo | null>();
  const keyOf = (commit: string, newest: string | undefined): string => `${commit} ${newest ?? ''}`;
  return {
    async describe(revisions, newest) {
      const newestCommit = newest === undefined ? undefined : parseRevisionName(newest)?.commit;
      const commits = new Map<string, string>();
      for (const name of new Set(revisions)) {
        const commit = parseRevisionName(name)?.commit;
        if (commit !== undefined) commits.set(name, commit);
      }
      const unknown = [...new Set(commits.values())].filter((c) => !cache.has(keyOf(c, newestCommit)));
      if (unknown.length) {
        const found = new Map((await source.describeCommits(unknown, newestCommit)).map((i) => [i.commit, i]));
        for (const commit of unknown) cache.set(keyOf(commit, newestCommit), found.get(commit) ?? null);
        while (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
      }
      const answer: Record<string, CommitInfo> = {};
      for (const [name, commit] of commits) {
        const info = cache.get(keyOf(commit, newestCommit));
        if (info) answer[name] = info;
      }
      return answer;
    },
  };
}
