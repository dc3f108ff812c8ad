/**
 * What a finished preview of a pull or merge request posts back to the forge (pure): a commit status on
 * the request's head commit under `<context>/preview` (success when the revision is valid and no host
 * failed, whatever it changes; failure otherwise), linking to the preview's markdown on the controller,
 * and the markdown as the request's comment.
 */
import { previewMarkdown } from '../previews/report.js';
import type { PreviewView } from '../previews/types.js';
import type { CommitStatusSettings } from '../../config/types.js';
import type { CommitStatus } from './forge.js';
import type { PullRequestComment } from './forge-comment.js';

/** What to post for one preview. */
export interface PreviewPosts {
  status: CommitStatus;
  comment: PullRequestComment;
}

/** The context of preview statuses, after the controller's own. */
export function previewContext(context: string): string {
  return `${context}/preview`;
}

/**
 * The status and comment of `preview`, or undefined when there is nothing to post: no pull request
 * (an API preview), unfinished, or a request of a kind the forge does not take (a GitLab merge request
 * on GitHub or Gitea, a pull request on GitLab; Gitea sends GitHub's pull_request events).
 */
export function previewPosts(preview: PreviewView, forge: CommitStatusSettings['provider'], o: { context: string; publicUrl?: string }): PreviewPosts | undefined {
  const pr = preview.pullRequest;
  if (!pr || (preview.state !== 'done' && preview.state !== 'failed')) return undefined;
  if ((pr.provider === 'gitlab') !== (forge === 'gitlab')) return undefined;
  const targetUrl = o.publicUrl === undefined ? undefined : `${o.publicUrl}/api/v1/previews/${encodeURIComponent(preview.previewId)}?format=markdown`;
  const { state, description } = verdict(preview);
  return {
    status: { sha: pr.headSha, revision: preview.revision, state, description, context: previewContext(o.context), ...(targetUrl ? { targetUrl } : {}) },
    comment: { number: pr.number, markdown: previewMarkdown(preview) },
  };
}

/** success or failure, with `N hosts change, M fail` (or the problem, or the error). */
export function verdict(preview: PreviewView): Pick<CommitStatus, 'state' | 'description'> {
  if (preview.state === 'failed' || !preview.validation) {
    return { state: 'failure', description: `preview failed: ${preview.error ? `${preview.error.code} ${preview.error.message}` : 'no verdict'}` };
  }
  if (!preview.validation.valid) {
    const problems = preview.validation.problems;
    return { state: 'failure', description: `invalid, ${plural(problems.length, 'problem')}: ${(problems[0] ?? '').replace(/\s+/g, ' ')}` };
  }
  const changing = preview.hosts.filter((h) => h.steps.length > 0 || h.result === 'removed').length;
  const failing = preview.hosts.filter((h) => h.result === 'failed' || h.result === 'unreachable').length;
  return { state: failing > 0 ? 'failure' : 'success', description: `${plural(changing, 'host')} ${changing === 1 ? 'changes' : 'change'}, ${failing} ${failing === 1 ? 'fails' : 'fail'}` };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
