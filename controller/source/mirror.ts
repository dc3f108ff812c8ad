/** The bare mirror below workDir: created once, fetched into, asked which commit a ref names. */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GitCommandFailure } from './git-run.js';
import { fetchRefspec, mirrorRef } from './ref.js';
import type { SourceRef } from './types.js';

/** Runs git with the source's environment and time limit; `cwd` defaults to the mirror. Rejects with GitCommandFailure. */
export type Git = (args: string[], options?: { cwd?: string; env?: Record<string, string> }) => Promise<string>;

/** The ref that keeps the last accepted commit reachable, so gc never drops it and the fast-forward check can always read it. */
export const ACCEPTED_REF = 'refs/drover/accepted';

/** Creates the bare mirror at `mirrorDir` unless it exists (`git init --bare` is idempotent, so a half-made one is repaired). */
export async function ensureMirror(git: Git, mirrorDir: string): Promise<void> {
  if (existsSync(join(mirrorDir, 'HEAD')) && existsSync(join(mirrorDir, 'objects'))) return;
  await mkdir(dirname(mirrorDir), { recursive: true });
  await git(['init', '--bare', '--quiet', mirrorDir], { cwd: dirname(mirrorDir) });
}

/**
 * Removes the `*.lock` files git leaves in the mirror's refs (and HEAD, config, packed-refs) when
 * it is killed mid-fetch; git would refuse every later fetch. Only safe while no git runs in the
 * mirror: the source calls it once, before its first fetch (one source owns a workDir).
 */
export async function removeStaleLocks(mirrorDir: string): Promise<void> {
  const remove = async (dir: string, recurse: boolean): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const path = join(dir, entry.name);
      if (entry.isFile() && entry.name.endsWith('.lock')) await rm(path, { force: true });
      else if (recurse && entry.isDirectory()) await remove(path, true);
    }
  };
  await remove(mirrorDir, false);
  await remove(join(mirrorDir, 'refs'), true);
}

/** True when the mirror holds `commit` as a commit object. */
export async function hasCommit(git: Git, commit: string): Promise<boolean> {
  try {
    await git(['cat-file', '-e', `${commit}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

/** What git says when a server will not send a commit by id (protocol v0 without uploadpack.allow*SHA1InWant). */
const UNADVERTISED = /unadvertised object|not our ref/;

/**
 * Fetches `ref` from `url` into the mirror (forced, so a rewritten branch lands too; the caller
 * decides whether to accept it). A pinned commit already in the mirror is not fetched again (a
 * commit id never changes what it names); one the server will not send by id is looked for in
 * all its branches and tags. Rejects with GitCommandFailure.
 */
export async function fetchRef(git: Git, url: string, ref: SourceRef): Promise<void> {
  const fetch = (...refspecs: string[]) => git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', url, ...refspecs]);
  if (!('commit' in ref)) return void (await fetch(fetchRefspec(ref)));
  if (await hasCommit(git, ref.commit)) return;
  try {
    await fetch(ref.commit);
  } catch (error) {
    if (!(error instanceof GitCommandFailure && UNADVERTISED.test(error.output))) throw error;
    await fetch('+refs/heads/*:refs/drover/all/heads/*', '+refs/tags/*:refs/drover/all/tags/*');
    if (!(await hasCommit(git, ref.commit))) throw error;
  }
}

/** The 40-hex commit `ref` names in the mirror (an annotated tag is peeled). Rejects with GitCommandFailure if absent. */
export async function resolveCommit(git: Git, ref: SourceRef): Promise<string> {
  return (await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${mirrorRef(ref)}^{commit}`])).trim();
}

/**
 * True when `ancestor` is `commit` or one of its ancestors; false when it is not, or when the
 * mirror does not hold `ancestor` (then nothing fetched descends from it). Other failures
 * (a time-out) reject with GitCommandFailure rather than pass for a rewrite.
 */
export async function isAncestor(git: Git, ancestor: string, commit: string): Promise<boolean> {
  if (!(await hasCommit(git, ancestor))) return false;
  try {
    await git(['merge-base', '--is-ancestor', ancestor, commit]);
    return true;
  } catch (error) {
    if (error instanceof GitCommandFailure && error.exitCode === 1) return false;
    throw error;
  }
}

/** Points ACCEPTED_REF at `commit`. */
export async function keepAccepted(git: Git, commit: string): Promise<void> {
  await git(['update-ref', ACCEPTED_REF, commit]);
}
