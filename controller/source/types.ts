/** The shapes shared by the Git source and its callers (docs/controller-design.md, "Source"). */
import type { CommitInfo } from './commit-info.js';

/** Which ref the source follows: a branch (checked for fast-forward), a tag, or one pinned commit. */
export type SourceRef = { branch: string } | { tag: string } | { commit: string };

/** Where the manifests come from and how to fetch them. */
export interface SourceSpec {
  /** Local path, `file://`, `ssh://`, `git@host:path`, `https://` (or `http://`, `git://`). */
  url: string;
  ref: SourceRef;
  /** Sub-directory (relative, no `..`) holding drover.yaml. */
  path?: string;
  /** Limit for each git operation, in ms. */
  timeoutMs: number;
  /** ssh URLs: the deploy key, and the known_hosts file the server's key must be in (StrictHostKeyChecking=yes). */
  sshKeyFile?: string;
  knownHostsFile?: string;
  /** https URLs: sent as HTTP Basic `x-access-token:<token>` through the environment; scrubbed from every message. */
  token?: string;
  allowNonFastForward: boolean;
  /** Accept only commits whose SSH signature verifies against `allowedSignersFile`. */
  verifySignatures: boolean;
  allowedSignersFile?: string;
}

/** One fetched commit, materialised as a read-only snapshot. */
export interface Revision {
  /** `main@sha1:<40 hex>` (branch), `v1@sha1:<40 hex>` (tag), `sha1:<40 hex>` (pinned commit). */
  name: string;
  /** 40 hex. */
  commit: string;
  /** Snapshot root + sub-path: pass to loadRepository. */
  dir: string;
  /** Epoch ms. */
  fetchedAt: number;
}

/** A commit fetched to be previewed: its snapshot (`name` is `<ref>@sha1:<hex>`), which the caller removes when done. */
export interface PreviewRevision extends Revision {
  /** The ref as asked for. */
  ref: string;
  /** Removes the snapshot (the commit stays in the mirror until git collects it). */
  remove(): Promise<void>;
}

/** A source of revisions; one per followed repository and ref. */
export interface GitSource {
  /**
   * Fetches and materialises the followed ref; a commit already materialised is reused. Calls
   * (and prunes) are serialised. Throws DroverError: E_SOURCE_FETCH, E_SOURCE_TIMEOUT,
   * E_SOURCE_SNAPSHOT (transient: retry later; existing snapshots stay); E_SOURCE_REF_NOT_FOUND,
   * E_SOURCE_AUTH, E_SOURCE_HOST_KEY, E_SOURCE_NON_FAST_FORWARD, E_SOURCE_SIGNATURE,
   * E_SOURCE_UNSAFE_SYMLINK, E_SOURCE_STATE (stalled: a human must change the remote, the settings or the state).
   */
  fetchRevision(): Promise<Revision>;
  /** Removes snapshots whose commit is not in `keep` (and leftovers of interrupted ones). */
  pruneSnapshots(keep: ReadonlySet<string>): Promise<void>;
  /**
   * The revision `name` (`main@sha1:<hex>`) from the snapshot kept on disk, without fetching (a restart
   * with the remote down); undefined when the name is malformed or its snapshot is gone. `fetchedAt` is 0.
   */
  storedRevision(name: string): Promise<Revision | undefined>;
  /**
   * Fetches `ref` (a branch, tag, full ref such as `refs/pull/12/head`, or a 40-hex commit) of the
   * followed repository to preview it: the followed ref and the accepted commit never move, and no
   * signature or fast-forward check is made (a preview never applies). Serialised with fetchRevision.
   * Throws E_SOURCE_REF_NOT_FOUND (no such ref on the remote), E_SOURCE_CONFIG (not a ref name), and
   * fetchRevision's other errors. `holder`: for a commit, a ref holding it, fetched when the remote
   * does not serve the commit by id (a pull request's `refs/pull/12/head`).
   */
  fetchPreview(ref: string, holder?: string): Promise<PreviewRevision>;
  /**
   * Subject, author and time of `commits` (40 hex) as the mirror holds them, and how many commits each
   * is behind `newest`; commits the mirror lacks are left out. Never fetches, never waits for a fetch.
   */
  describeCommits(commits: readonly string[], newest?: string): Promise<CommitInfo[]>;
}

/** The part of the daemon's Clock the source needs (source does not import the daemon). */
export interface SourceClock {
  now(): number;
}
