/** The Git source: follows one ref of a repository and hands out immutable revision snapshots. */
export { createGitSource, type GitSourceOptions } from './git-source.js';
export { describeRef, parseRevisionName, revisionName } from './ref.js';
export { materialiseLocalRef, type LocalRefTree } from './local-ref.js';
export { previewRefProblem } from './preview-ref.js';
export { sourceSpecProblems } from './spec-check.js';
export { displayUrl } from './url.js';
export type { GitSource, PreviewRevision, Revision, SourceClock, SourceRef, SourceSpec } from './types.js';
export type { CommitInfo } from './commit-info.js';
