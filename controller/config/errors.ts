import { DroverError, formatProblem, type ManifestProblem } from '../../manifests/errors.js';
import { compareProblems } from '../../manifests/problems.js';
import { formatPath, locate, type PathSegment } from '../../manifests/read.js';
import type { ConfigFile } from './find.js';

/**
 * Thrown when the controller config is invalid: carries every problem found, each located as
 * `file:line:col  path  message` (line and col 0 for values from the command line or a .js/.ts file).
 * The controller does not start.
 */
export class ConfigInvalidError extends DroverError {
  readonly problems: ManifestProblem[];

  constructor(problems: ManifestProblem[]) {
    problems = [...problems].sort(compareProblems);
    const first = problems[0];
    super('E_CONFIG_INVALID', `controller config is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${first ? formatProblem(first) : 'no details'}`);
    this.name = 'ConfigInvalidError';
    this.problems = problems;
  }
}

/** Collects config problems located in the config file (or on the command line). */
export interface ConfigProblems {
  at(path: readonly PathSegment[], message: string, options?: { key?: boolean }): void;
  readonly list: ManifestProblem[];
}

/** A problem list for `file` (undefined: the embedded default with command-line values). */
export function configProblems(file: ConfigFile | undefined): ConfigProblems {
  const list: ManifestProblem[] = [...(file?.problems ?? [])];
  return {
    list,
    at(path, message, options = {}) {
      const pos = file?.source ? locate(file.source, path, options) : { line: 0, col: 0 };
      list.push({ file: file?.shown ?? '(command line)', ...pos, path: formatPath(path), message });
    },
  };
}
