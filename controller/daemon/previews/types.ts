/**
 * A preview as the controller keeps it and the API shows it: what applying a ref's revision would do
 * to every host now, without applying it (docs/http-api.md, "Previews").
 */
import type { HostPreview } from '../../reconcile/preview/types.js';

/** `pending` (waiting for a slot), `running`, `done` (judged: valid with hosts, or invalid with problems), `failed`. */
export type PreviewState = 'pending' | 'running' | 'done' | 'failed';

/** The pull or merge request a webhook started a preview for (for whoever reports back to the forge). */
export interface PullRequestInfo {
  provider: 'github' | 'gitlab';
  /** GitHub's pull request number, GitLab's merge request iid. */
  number: number;
  /** The commit previewed (the request's head). */
  headSha: string;
  headRef?: string;
  /** The branch the request would merge into. */
  baseRef?: string;
  /** `owner/name` (GitHub) or the project's path (GitLab). */
  repository?: string;
  /** The request's web page. */
  url?: string;
  /** What the forge sent: opened, synchronize, reopened (GitHub); open, update, reopen (GitLab). */
  action: string;
}

/** What starts a preview. */
export interface PreviewRequest {
  /** A branch, tag, full ref (refs/pull/12/head) or 40-hex commit of the followed repository. */
  ref: string;
  /** For a commit: a ref holding it, fetched when the remote does not serve the commit by id (`refs/pull/12/head`). */
  holder?: string;
  trigger?: 'api' | 'webhook';
  pullRequest?: PullRequestInfo;
}

/** One preview. Times are epoch ms. */
export interface PreviewView {
  previewId: string;
  ref: string;
  trigger: 'api' | 'webhook';
  state: PreviewState;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** The revision previewed, e.g. `feature@sha1:<hex>` (known once the ref is fetched, before the 202). */
  revision: string;
  commit: string;
  /** The controller's newest good revision the hosts' changes are compared with (absent before it has one). */
  base?: string;
  /** Once judged: `valid`, and every problem as `file:line:col  path  message` (no host is planned when invalid). */
  validation?: { valid: boolean; problems: string[] };
  /** Every host of the revision (this replica's shard), then the hosts it removes. */
  hosts: HostPreview[];
  /** Why a `failed` preview failed. */
  error?: { code: string; message: string };
  pullRequest?: PullRequestInfo;
}
