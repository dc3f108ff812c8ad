/**
 * Immutable snapshots below `<workDir>/snapshots/`: one read-only directory per commit, written
 * to a temp dir and renamed into place, so a reader never sees half a snapshot and a crash
 * leaves only a `.tmp-*` leftover (removed by the next materialise or prune).
 */
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DroverError } from '../../manifests/errors.js';
import type { Git } from './mirror.js';
import { escapingSymlinks } from './symlinks.js';

const TEMP_PREFIX = '.tmp-';

/** Where the snapshot of `commit` lives. */
export function snapshotPath(snapshotsDir: string, commit: string): string {
  return join(snapshotsDir, commit);
}

/** Clears the write bits below `dir` (files keep their execute bits; symlinks are left as they are), deepest first. */
async function makeReadOnly(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      await makeReadOnly(path);
      await chmod(path, 0o555);
    } else if (entry.isFile()) {
      await chmod(path, (await lstat(path)).mode & 0o555);
    }
  }
}

/** Gives the owner write access again below `dir`, so it can be removed without root. */
async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await makeWritable(join(dir, entry.name));
  }
}

/** Removes a snapshot (or a leftover temp dir) even though it is read-only. */
async function removeTree(path: string): Promise<void> {
  const stats = await lstat(path).catch(() => undefined);
  if (!stats) return;
  if (stats.isDirectory()) await makeWritable(path);
  await rm(path, { recursive: true, force: true });
}

/**
 * The snapshot directory of `commit`, made from the mirror unless it exists (then it is reused
 * as it is). Checks the commit's tree out with a throw-away index in one git process (`read-tree -u
 * --reset`, which keeps symlinks and execute bits), clears every write bit, and renames it into place.
 * Throws E_SOURCE_UNSAFE_SYMLINK (stalled) when a symlink points outside the tree (nothing is kept).
 */
export async function materialiseSnapshot(git: Git, options: { snapshotsDir: string; commit: string }): Promise<string> {
  const final = snapshotPath(options.snapshotsDir, options.commit);
  if (existsSync(final)) return final;
  await mkdir(options.snapshotsDir, { recursive: true });
  await removeLeftovers(options.snapshotsDir);
  const temp = await mkdtemp(join(options.snapshotsDir, `${TEMP_PREFIX}${options.commit.slice(0, 12)}-`));
  const env = { GIT_INDEX_FILE: `${temp}.index` };
  try {
    await git(['--work-tree', temp, 'read-tree', '-u', '--reset', options.commit], { env });
    await refuseEscapingSymlinks(temp, options.commit);
    await makeReadOnly(temp);
    await rename(temp, final);
    await chmod(final, 0o555);
  } finally {
    await rm(`${temp}.index`, { force: true });
    await removeTree(temp);
  }
  return final;
}

async function refuseEscapingSymlinks(dir: string, commit: string): Promise<void> {
  const links = await escapingSymlinks(dir);
  if (links.length === 0) return;
  throw new DroverError(
    'E_SOURCE_UNSAFE_SYMLINK',
    `commit ${commit} has symlinks that point outside the repository: ${links.join(', ')}; ` +
      'replace them with the files themselves or with links inside the repository, and push a new commit',
  );
}

/** Removes `.tmp-*` leftovers of interrupted materialisations. */
async function removeLeftovers(snapshotsDir: string): Promise<void> {
  for (const name of await readdir(snapshotsDir)) {
    if (name.startsWith(TEMP_PREFIX)) await removeTree(join(snapshotsDir, name));
  }
}

/** Removes every snapshot whose commit is not in `keep`, and any leftover; a missing snapshots dir is fine. */
export async function pruneSnapshotDirs(snapshotsDir: string, keep: ReadonlySet<string>): Promise<void> {
  const names = await readdir(snapshotsDir).catch(() => [] as string[]);
  for (const name of names) {
    if (!keep.has(name)) await removeTree(join(snapshotsDir, name));
  }
}
