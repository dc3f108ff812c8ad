/**
 * Collects problems while a repository is checked. A problem found while building a host
 * from a shared file (a role, a group, a template) is usually the same for many hosts; those
 * are reported once, naming the hosts.
 */
import type { ManifestProblem } from './errors.js';
import { formatPath, locate, type PathSegment, type SourceFile } from './read.js';

/** The problem list of one load. */
export interface ProblemList {
  /** Adds a problem; `host` names the host it was found for when the file is shared. */
  add(problem: ManifestProblem, host?: string): void;
  /** Adds a problem located at a node of a parsed file (its key with `key: true`). */
  at(source: SourceFile, path: readonly PathSegment[], message: string, options?: { key?: boolean; host?: string }): void;
  /** Number of problems so far. */
  readonly size: number;
  /** Deduplicated problems sorted by file, line, column, path and message. */
  sorted(): ManifestProblem[];
}

/** A new, empty problem list. */
export function createProblemList(): ProblemList {
  const byKey = new Map<string, { problem: ManifestProblem; hosts: string[] }>();
  const list: ProblemList = {
    add(problem, host) {
      const key = `${problem.file}\0${problem.line}\0${problem.col}\0${problem.path}\0${problem.message}`;
      const entry = byKey.get(key) ?? { problem, hosts: [] };
      if (host !== undefined && !entry.hosts.includes(host)) entry.hosts.push(host);
      byKey.set(key, entry);
    },
    at(source, path, message, options = {}) {
      const pos = locate(source, path, { key: options.key ?? false });
      list.add({ file: source.file, ...pos, path: formatPath(path), message }, options.host);
    },
    get size() {
      return byKey.size;
    },
    sorted() {
      return [...byKey.values()].map(({ problem, hosts }) => withHosts(problem, hosts)).sort(compareProblems);
    },
  };
  return list;
}

function withHosts(problem: ManifestProblem, hosts: string[]): ManifestProblem {
  if (hosts.length === 0) return problem;
  const shown = hosts.length > 3 ? `${hosts.slice(0, 3).join(', ')} and ${hosts.length - 3} more` : hosts.join(', ');
  return { ...problem, message: `${problem.message} (host${hosts.length > 1 ? 's' : ''} ${shown})` };
}

/** Orders problems by file, line, column, path, message. */
export function compareProblems(a: ManifestProblem, b: ManifestProblem): number {
  return cmp(a.file, b.file) || a.line - b.line || a.col - b.col || cmp(a.path, b.path) || cmp(a.message, b.message);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
