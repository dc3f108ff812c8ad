/**
 * The one error base of drover. Every failure a user can meet is a DroverError with a stable `code`
 * from the registry (error-codes.ts), which also says its `kind`: what a caller does with it
 * (retry with backoff, wait for a human, give up at this revision, or report a bug).
 * Adapters turn library errors into these; the CLI prints `message` (one line) for known errors.
 */
import { ERROR_CODES, type ErrorCode, type ErrorKind } from './error-codes.js';

export { ERROR_CODES, errorSpec, isErrorCode, type ErrorCode, type ErrorKind, type ErrorSpec } from './error-codes.js';

export interface DroverErrorOptions {
  cause?: unknown;
  /** Host the error happened on, when there is one. */
  host?: string;
}

export class DroverError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly host: string | undefined;

  constructor(code: ErrorCode, message: string, options: DroverErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DroverError';
    this.code = code;
    this.kind = ERROR_CODES[code].kind;
    this.host = options.host;
  }
}

/** One problem found in a manifest repository, located in its YAML source. */
export interface ManifestProblem {
  /** Path relative to the repository root, e.g. `hosts/web1.yaml`. */
  file: string;
  /** 1-based line and column; 0 when the problem has no position (e.g. a missing file). */
  line: number;
  col: number;
  /** JSON path of the offending value, e.g. `resources[2].mode`; `` for the whole document. */
  path: string;
  message: string;
}

/** Formats a problem as the CLI prints it: `file:line:col  json.path  message`. */
export function formatProblem(p: ManifestProblem): string {
  return `${p.file}:${p.line}:${p.col}  ${p.path || '.'}  ${p.message}`;
}

/** Thrown when a repository does not validate; carries every problem found, sorted by file and line. */
export class ManifestInvalidError extends DroverError {
  readonly problems: ManifestProblem[];

  constructor(problems: ManifestProblem[]) {
    const first = problems[0];
    const head = first ? formatProblem(first) : 'no details';
    super('E_MANIFEST_INVALID', `manifest repository is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${head}`);
    this.name = 'ManifestInvalidError';
    this.problems = problems;
  }
}

/** Removes credentials from URLs and known secret-bearing fragments before a message is shown or logged. */
export function scrubSecrets(text: string): string {
  return text
    .replace(/(\w+:\/\/)([^/@\s:]+)(:[^/@\s]*)?@/g, '$1***@')
    .replace(/(token|password|secret)=([^&\s]+)/gi, '$1=***');
}
