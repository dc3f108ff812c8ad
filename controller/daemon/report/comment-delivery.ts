/**
 * Delivering one pull-request comment: look for the controller's marked comment on the request (page
 * by page, at most MAX_PAGES), edit it when found, else add one. Any step that fails ends the attempt
 * with that step's outcome (retried or refused as delivery.ts decides); an edit of a comment deleted
 * meanwhile (404) adds a new one. Reasons never hold the URL or the token.
 */
import { exchange, type Delivery } from './delivery.js';
import type { ForgeTarget } from './forge.js';
import { commentMarker, COMMENTS_PER_PAGE, createCommentRequest, findMarkedComment, listCommentsRequest, updateCommentRequest, type PullRequestComment } from './forge-comment.js';

/** Pages of comments read at most (a request with more comments gets a new one). */
export const MAX_PAGES = 10;

/** Posts or edits `comment` on `target`; never rejects. */
export async function deliverComment(target: ForgeTarget, comment: PullRequestComment, now: () => number): Promise<Delivery> {
  const found = await findComment(target, comment.number, now);
  if ('outcome' in found) return found;
  if (found.id !== undefined) {
    const edit = await exchange(updateCommentRequest(target, comment, found.id), now);
    if (!(edit.delivery.outcome === 'refused' && edit.delivery.reason.startsWith('HTTP 404'))) return step('editing the comment', edit.delivery);
  }
  return step('adding the comment', (await exchange(createCommentRequest(target, comment), now)).delivery);
}

/** The id of the marked comment (undefined: none), or how listing failed. */
async function findComment(target: ForgeTarget, number: number, now: () => number): Promise<{ id?: number } | Delivery> {
  const marker = commentMarker(target.context);
  for (let page = 1; page <= MAX_PAGES; page++) {
    const answer = await exchange(listCommentsRequest(target, number, page), now);
    if (answer.delivery.outcome !== 'delivered') return step('listing the comments', answer.delivery);
    let found: { id?: number; count: number };
    try {
      found = findMarkedComment(answer.text, marker);
    } catch (err) {
      return { outcome: 'retry', reason: `listing the comments: ${(err as Error).message}` };
    }
    if (found.id !== undefined) return { id: found.id };
    if (target.provider === 'gitea' || found.count < COMMENTS_PER_PAGE) break;
  }
  return {};
}

function step(what: string, delivery: Delivery): Delivery {
  return delivery.outcome === 'delivered' ? delivery : { ...delivery, reason: `${what}: ${delivery.reason}` };
}
