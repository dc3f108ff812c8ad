/**
 * What a preview says about each host: what would change if a revision were applied now, split,
 * when a base revision is given, into what the change itself brings and drift it does not touch.
 * Plain JSON data (the HTTP API's answer, the CLI's markdown); every diff is masked.
 */
import type { Action } from '../../plan/types.js';

/** One step that would change something. */
export interface PreviewStep {
  name: string;
  action: Action;
  /** Why, in user terms (`content sha256 1234abcd -> 5678ef01`). */
  reasons: string[];
  /** Set when the outcome is only known at run time. */
  mayChange?: string;
}

/** Steps that would change and the masked unified diffs of the files among them. */
export interface PreviewSteps {
  steps: PreviewStep[];
  /** Diff lines of every changed text file of `steps`, each file headed by `--- path (host)` / `+++ path (desired)`. */
  diff: string[];
}

/**
 * How a host ends in a preview: `in-sync` (nothing would change), `changes`, `failed` (could not be
 * observed or planned), `unreachable`, or `removed` (in the base, gone from the previewed revision).
 */
export type PreviewResult = 'in-sync' | 'changes' | 'failed' | 'unreachable' | 'removed';

/** What the previewed revision does to a host's desired state, compared with the base. */
export type HostChange = 'added' | 'changed' | 'unchanged' | 'removed';

/** One host of a preview. */
export interface HostPreview extends PreviewSteps {
  host: string;
  /** `address:port` (empty for a removed host). */
  address: string;
  result: PreviewResult;
  /** When the host was observed for this preview (ISO 8601): a fresh observation the controller held may be older than the preview. */
  observedAt?: string;
  /** With a base only: whether the revision changes this host's desired state. */
  change?: HostChange;
  /**
   * With a base only: the resources (and `test:` checks) the revision adds, changes or removes, and
   * `(host)`, `(hooks)`, `(settings)` when the host's connection or policies, hooks or settings differ.
   */
  resources?: string[];
  /** With a base only: steps that would change although the revision does not touch them (drift). */
  drift?: PreviewSteps;
  /** Why a host is `failed` or `unreachable` (masked). */
  error?: { code: string; message: string };
}

/** A whole preview as the markdown renderer takes it. */
export interface PreviewReport {
  /** What was previewed, e.g. `feature` or `the working tree`. */
  title: string;
  /** The revision it resolved to, e.g. `feature@sha1:<hex>`. */
  revision?: string;
  /** What changes are compared with, when they are (e.g. the followed branch's revision). */
  base?: string;
  /** The revision's validation problems, as `file:line:col  path  message` (no host is planned then). */
  problems?: string[];
  /** Set while the preview is not done (`pending`, `running`): said instead of any host. */
  unfinished?: string;
  /** The preview failed as a whole (the ref could not be fetched, say). */
  error?: { code: string; message: string };
  hosts: HostPreview[];
  /** Where the complete preview is (named in the note when the markdown is cut). */
  fullAt?: string;
}
