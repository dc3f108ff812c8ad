/** The Git source: follows one ref of a repository and hands out immutable revision snapshots. */
export { createGitSource, type GitSourceOptions } from './git-source.js';
export { parseRevisionName, revisionName } from './ref.js';
export type { GitSource, Revision, SourceClock, SourceRef, SourceSpec } from './types.js';
