/** Pure helpers about the followed ref: revision names, refspecs, labels for messages. */
import type { SourceRef } from './types.js';

const COMMIT = /^[0-9a-f]{40}$/;

/** True when `text` is a full 40-hex SHA-1 commit id (lower case). */
export function isCommitId(text: string): boolean {
  return COMMIT.test(text);
}

/** The revision name of `commit` on `ref`: `main@sha1:<hex>`, `v1@sha1:<hex>`, or `sha1:<hex>` for a pinned commit. */
export function revisionName(ref: SourceRef, commit: string): string {
  if ('branch' in ref) return `${ref.branch}@sha1:${commit}`;
  if ('tag' in ref) return `${ref.tag}@sha1:${commit}`;
  return `sha1:${commit}`;
}

/** Splits a revision name back into its ref name (undefined for a pinned commit) and commit; undefined if malformed. */
export function parseRevisionName(name: string): { ref?: string; commit: string } | undefined {
  const match = /^(?:(.+)@)?sha1:([0-9a-f]{40})$/.exec(name);
  if (!match) return undefined;
  return match[1] === undefined ? { commit: match[2]! } : { ref: match[1], commit: match[2]! };
}

/** `branch "main"`, `tag "v1"`, `commit 0123...`: how messages name the ref. */
export function describeRef(ref: SourceRef): string {
  if ('branch' in ref) return `branch "${ref.branch}"`;
  if ('tag' in ref) return `tag "${ref.tag}"`;
  return `commit ${ref.commit}`;
}

/**
 * The ref in the bare mirror that holds the fetched commit (the commit id itself for a pinned commit).
 * Branches and tags live in their own namespaces so a branch and a tag of one name never collide.
 */
export function mirrorRef(ref: SourceRef): string {
  if ('branch' in ref) return `refs/heads/${ref.branch}`;
  if ('tag' in ref) return `refs/tags/${ref.tag}`;
  return ref.commit;
}

/** The refspec `git fetch` uses: forced (`+`), so a rewritten branch lands and the fast-forward check can judge it. */
export function fetchRefspec(ref: SourceRef): string {
  if ('commit' in ref) return ref.commit;
  return `+${mirrorRef(ref)}:${mirrorRef(ref)}`;
}

/**
 * Why `name` cannot be a branch or tag name, or undefined when it can. Checks the rules of
 * git-check-ref-format that matter here, and refuses a leading `-` (it would read as an option).
 */
export function refNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name.startsWith('-')) return 'starts with "-"';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what git forbids here
  if (/[\s\0-\x1f\x7f~^:?*[\\]/.test(name)) return 'contains a space, control character or one of ~ ^ : ? * [ \\';
  if (name.includes('..') || name.includes('@{') || name.includes('//')) return 'contains "..", "@{" or "//"';
  if (name.startsWith('/') || name.endsWith('/') || name.endsWith('.') || name.endsWith('.lock')) {
    return 'starts or ends with "/", or ends with "." or ".lock"';
  }
  return undefined;
}
