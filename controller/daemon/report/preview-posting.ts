/**
 * Posting finished previews of pull and merge requests back to the forge of `commitStatus`: the commit
 * status goes through the controller's commit-status queue, the comment through a queue of its own
 * (`<stateDir>/report/outbox/pr-comment`), both durable. A preview that finishes after a newer preview
 * of the same request was commented on posts its status but leaves the comment alone (two pushes in
 * a row may finish out of order).
 */
import { join } from 'node:path';
import type { CommitStatusSettings } from '../../config/types.js';
import type { PreviewView } from '../previews/types.js';
import { deliverComment } from './comment-delivery.js';
import type { CommitStatus } from './forge.js';
import type { PullRequestComment } from './forge-comment.js';
import { Outbox } from './outbox.js';
import { previewPosts } from './preview-report.js';
import type { ReportOptions } from './report.js';

/** The hook and the comment queue. */
export interface PreviewPosting {
  previewFinished: (preview: PreviewView) => void;
  outbox: Outbox<PullRequestComment>;
}

/** Opens the comment queue under `dir`; statuses are pushed to `statuses`. */
export async function openPreviewPosting(o: ReportOptions & { dir: string; context: string; userAgent: string; maxItems: number }, statuses: Outbox<CommitStatus>): Promise<PreviewPosting> {
  const c: CommitStatusSettings = o.settings.commitStatus!;
  const outbox = await Outbox.open<PullRequestComment>({
    dir: join(o.dir, 'outbox', 'pr-comment'), target: `pull-request comments (${c.provider} ${c.repository})`, clock: o.clock, random: o.random, log: o.log, maxItems: o.maxItems,
    deliver: (comment) => deliverComment({ provider: c.provider, apiUrl: c.apiUrl, repository: c.repository, context: o.context, userAgent: o.userAgent, token: c.token.reveal() }, comment, () => o.clock.now()),
  });
  // Per request, the creation time of the newest preview commented on.
  const commented = new Map<number, number>();
  const previewFinished = (preview: PreviewView): void => {
    const posts = previewPosts(preview, c.provider, { context: o.context, ...(o.settings.publicUrl === undefined ? {} : { publicUrl: o.settings.publicUrl }) });
    if (!posts) return;
    void statuses.push(posts.status);
    if ((commented.get(posts.comment.number) ?? -1) > preview.createdAt) return;
    commented.set(posts.comment.number, preview.createdAt);
    void outbox.push(posts.comment);
  };
  return { previewFinished, outbox };
}
