/**
 * createGitSource: follows one ref of one repository and hands out immutable revision snapshots
 * (docs/controller-design.md, "Source"). The phases of a fetch: fetch into the bare mirror ->
 * resolve the commit -> fast-forward check -> signature check -> snapshot -> record as accepted.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DroverError } from '../../manifests/errors.js';
import { readAccepted, writeAccepted, type Accepted } from './accepted.js';
import { fetchError, previewFetchError, type FetchContext } from './errors.js';
import { gitEnvironment } from './git-env.js';
import { GitCommandFailure, runGit } from './git-run.js';
import { readCommitInfo } from './commit-info.js';
import { ensureMirror, fetchRef, isAncestor, keepAccepted, removeStaleLocks, resolveCommit, type Git } from './mirror.js';
import { describeRef, mirrorRef, parseRevisionName, revisionName } from './ref.js';
import { PREVIEWS_DIR, fetchPreviewCommit, materialisePreview, previewRevisionName } from './preview-ref.js';
import { verifyCommitSignature } from './signature.js';
import { materialiseSnapshot, pruneSnapshotDirs } from './snapshot.js';
import { assertSourceSpec } from './spec-check.js';
import type { GitSource, PreviewRevision, Revision, SourceClock, SourceSpec } from './types.js';
import { absoluteUrl, classifyUrl, displayUrl, type UrlKind } from './url.js';

/** Options of createGitSource. */
export interface GitSourceOptions {
  spec: SourceSpec;
  /** `<stateDir>/source`: holds `mirror/`, `snapshots/`, `accepted`. */
  workDir: string;
  /** Stamps `fetchedAt`; the daemon's Clock fits. Default: Date.now. */
  clock?: SourceClock;
}

/** Runs one async job at a time, in call order. */
function serialise(): <T>(job: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (job) => {
    const run = tail.then(job, job);
    tail = run.catch(() => undefined);
    return run;
  };
}

/**
 * Creates the source for `spec`. Throws E_SOURCE_CONFIG (stalled) at once when the spec is
 * invalid; touches nothing on disk until the first fetch. See GitSource for what fetchRevision
 * and pruneSnapshots do and throw.
 */
export function createGitSource(options: GitSourceOptions): GitSource {
  const { spec, workDir } = options;
  assertSourceSpec(spec);
  const now = options.clock ? () => options.clock!.now() : Date.now;
  const kind = (classifyUrl(spec.url) as { kind: UrlKind }).kind;
  const url = absoluteUrl(spec.url, kind, process.cwd());
  const paths = { mirror: join(workDir, 'mirror'), snapshots: join(workDir, 'snapshots'), accepted: join(workDir, 'accepted'), previews: join(workDir, PREVIEWS_DIR) };
  const env = gitEnvironment(spec, process.env);
  const git: Git = (args, opts = {}) =>
    runGit({ cwd: opts.cwd ?? paths.mirror, args, env: { ...env, ...opts.env }, timeoutMs: spec.timeoutMs });
  const context: FetchContext = {
    action: `fetching ${describeRef(spec.ref)} from ${displayUrl(url)}`,
    ref: describeRef(spec.ref), url: displayUrl(url), urlKind: kind, timeoutMs: spec.timeoutMs,
    sshKeyFile: spec.sshKeyFile, knownHostsFile: spec.knownHostsFile, token: spec.token,
  };
  const fetched = (commit: string, dir: string): Revision => ({
    name: revisionName(spec.ref, commit), commit, dir: join(dir, spec.path ?? ''), fetchedAt: now(),
  });
  const exclusive = serialise();

  let firstFetch = true;
  async function fetchCommit(): Promise<string> {
    if (firstFetch) await removeStaleLocks(paths.mirror);
    firstFetch = false;
    await ensureMirror(git, paths.mirror);
    await fetchRef(git, url, spec.ref);
    return resolveCommit(git, spec.ref);
  }

  /** Throws E_SOURCE_NON_FAST_FORWARD when the followed branch moved to a commit that does not descend from `accepted`. */
  async function checkFastForward(commit: string, accepted: Accepted | undefined): Promise<void> {
    if (!('branch' in spec.ref) || spec.allowNonFastForward) return;
    if (!accepted || accepted.ref !== mirrorRef(spec.ref) || accepted.commit === commit) return;
    if (await isAncestor(git, accepted.commit, commit)) return;
    throw new DroverError(
      'E_SOURCE_NON_FAST_FORWARD',
      `${describeRef(spec.ref)} of ${displayUrl(url)} was rewritten: ${commit} does not descend from the last accepted commit ${accepted.commit}. ` +
        `Push a commit on top of ${accepted.commit.slice(0, 12)}, or set allowNonFastForward to accept the rewrite`,
    );
  }

  async function snapshot(commit: string): Promise<string> {
    try {
      return await materialiseSnapshot(git, { snapshotsDir: paths.snapshots, commit });
    } catch (error) {
      if (error instanceof DroverError) throw error;
      // Disk full, a time-out: the next fetch tries again; the snapshots already made stay.
      const why = error instanceof Error ? error.message : String(error);
      throw new DroverError('E_SOURCE_SNAPSHOT', `writing the snapshot of ${commit} below ${paths.snapshots} failed (${why}): check free space and permissions there`);
    }
  }

  /** Records `commit` as accepted (ref in the mirror, then the file); nothing to write when it already is. */
  async function accept(commit: string, accepted: Accepted | undefined): Promise<void> {
    const ref = mirrorRef(spec.ref);
    if (accepted?.ref === ref && accepted.commit === commit) return;
    await keepAccepted(git, commit);
    await writeAccepted(paths.accepted, { ref, commit });
  }

  async function fetchRevision(): Promise<Revision> {
    const commit = await fetchCommit();
    const accepted = await readAccepted(paths.accepted);
    await checkFastForward(commit, accepted);
    if (spec.verifySignatures) {
      await verifyCommitSignature(git, { commit, allowedSignersFile: spec.allowedSignersFile!, what: `commit ${commit} (${describeRef(spec.ref)})` });
    }
    const dir = await snapshot(commit);
    await accept(commit, accepted);
    return fetched(commit, dir);
  }

  let firstPreview = true;
  /** Fetches and materialises a ref to preview (see GitSource.fetchPreview); leftovers of an earlier process go first. */
  async function fetchPreview(ref: string, holder?: string): Promise<PreviewRevision> {
    if (firstPreview) await pruneSnapshotDirs(paths.previews, new Set());
    firstPreview = false;
    if (firstFetch) await removeStaleLocks(paths.mirror);
    firstFetch = false;
    await ensureMirror(git, paths.mirror);
    const { commit, release } = await fetchPreviewCommit(git, url, ref, holder);
    const snapshot = await materialisePreview(git, { previewsDir: paths.previews, commit }).catch(async (error: unknown) => {
      await release();
      throw error;
    });
    const remove = async (): Promise<void> => {
      await Promise.all([snapshot.remove(), release()]);
    };
    return { ref, name: previewRevisionName(ref, commit), commit, dir: join(snapshot.root, spec.path ?? ''), fetchedAt: now(), remove };
  }

  return {
    // A git failure the phases did not turn into a DroverError themselves is one of the fetch.
    fetchRevision: () =>
      exclusive(() =>
        fetchRevision().catch((error: unknown) => {
          throw error instanceof GitCommandFailure ? fetchError(error, context) : error;
        }),
      ),
    fetchPreview: (ref, holder) =>
      exclusive(() =>
        fetchPreview(ref, holder).catch((error: unknown) => {
          throw error instanceof GitCommandFailure ? previewFetchError(error, { ...context, ref: `ref ${JSON.stringify(ref)}`, action: `fetching ref ${JSON.stringify(ref)} to preview from ${displayUrl(url)}` }) : error;
        }),
      ),
    pruneSnapshots: (keep) => exclusive(() => pruneSnapshotDirs(paths.snapshots, keep)),
    // Reads only: no need to wait behind a fetch (git reads a mirror while it is fetched into).
    describeCommits: (commits, newest) => (existsSync(join(paths.mirror, 'HEAD')) ? readCommitInfo(git, commits, newest) : Promise.resolve([])),
    async storedRevision(name) {
      const commit = parseRevisionName(name)?.commit;
      if (commit === undefined) return undefined;
      const dir = join(paths.snapshots, commit, spec.path ?? '');
      const found = await stat(dir).then((s) => s.isDirectory(), () => false);
      return found ? { name, commit, dir, fetchedAt: 0 } : undefined;
    },
  };
}
