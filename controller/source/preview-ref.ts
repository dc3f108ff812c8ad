/**
 * Refs to preview: a branch, tag, full ref (`refs/pull/12/head`) or commit fetched into the source's
 * mirror under a ref of its own, so the followed branch and the accepted commit never move, and
 * materialised as a snapshot of its own below `<workDir>/previews/<id>/` that the caller removes.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DroverError } from '../../manifests/errors.js';
import { fetchRef, hasCommit, type Git } from './mirror.js';
import { isCommitId, refNameProblem } from './ref.js';
import { materialiseSnapshot, pruneSnapshotDirs } from './snapshot.js';

/** Where previews' snapshots live below the source's workDir. */
export const PREVIEWS_DIR = 'previews';

/**
 * Why `ref` cannot be previewed (a name git would refuse or read as an option), or undefined when it
 * can: a 40-hex commit, or a branch, tag or full ref name.
 */
export function previewRefProblem(ref: string): string | undefined {
  if (isCommitId(ref)) return undefined;
  const problem = refNameProblem(ref);
  return problem === undefined ? undefined : `ref ${JSON.stringify(ref)} ${problem}; give a branch, a tag, a full ref such as refs/pull/12/head, or a 40-hex commit`;
}

/** The revision name of a previewed commit: `feature@sha1:<hex>` (`refs/heads/` left out), `sha1:<hex>` for a commit. */
export function previewRevisionName(ref: string, commit: string): string {
  return isCommitId(ref) ? `sha1:${commit}` : `${ref.replace(/^refs\/heads\//, '')}@sha1:${commit}`;
}

/** A fetched commit, and how to drop the ref that keeps it while it is previewed. */
export interface FetchedPreview {
  commit: string;
  release: () => Promise<void>;
}

/**
 * Fetches `ref` from `url` into the mirror and resolves the commit it names. A branch, tag or full ref
 * lands under a ref of its own, kept until `release` (so the ref's removal costs the caller's answer
 * no git process); a commit is fetched by id, and when the remote neither serves it by id nor has it
 * on a branch or tag, through `holder` (a ref holding it, such as a pull request's
 * `refs/pull/12/head`). Rejects with git's failure (the caller classifies it); throws E_SOURCE_CONFIG
 * for a name previewRefProblem refuses.
 */
export async function fetchPreviewCommit(git: Git, url: string, ref: string, holder?: string): Promise<FetchedPreview> {
  const problem = previewRefProblem(ref) ?? (holder === undefined ? undefined : previewRefProblem(holder));
  if (problem) throw new DroverError('E_SOURCE_CONFIG', problem);
  if (!isCommitId(ref)) return fetchNamed(git, url, ref);
  try {
    await fetchRef(git, url, { commit: ref });
    return { commit: ref, release: async () => undefined };
  } catch (error) {
    if (holder === undefined) throw error;
    const held = await fetchNamed(git, url, holder).catch(() => undefined);
    if (!(await hasCommit(git, ref))) {
      await held?.release();
      throw error;
    }
    return { commit: ref, release: held?.release ?? (async () => undefined) };
  }
}

/** Fetches a branch, tag or full ref under a ref of its own and resolves its commit; `release` drops that ref. */
async function fetchNamed(git: Git, url: string, ref: string): Promise<FetchedPreview> {
  const local = `refs/drover/preview/${randomBytes(8).toString('hex')}`;
  const release = async (): Promise<void> => {
    await git(['update-ref', '-d', local]).catch(() => undefined);
  };
  await git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', url, `+${ref}:${local}`]);
  try {
    return { commit: (await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${local}^{commit}`])).trim(), release };
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * Materialises `commit` below `<previewsDir>/<random id>/` (read-only, as snapshot.ts does) and
 * returns its directory and how to remove it. Throws E_SOURCE_UNSAFE_SYMLINK like any snapshot.
 */
export async function materialisePreview(git: Git, options: { previewsDir: string; commit: string }): Promise<{ root: string; remove: () => Promise<void> }> {
  const home = join(options.previewsDir, randomBytes(8).toString('hex'));
  const remove = async (): Promise<void> => {
    await pruneSnapshotDirs(home, new Set());
    await rm(home, { recursive: true, force: true });
  };
  try {
    return { root: await materialiseSnapshot(git, { snapshotsDir: home, commit: options.commit }), remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
