/**
 * Turns a failed git command into the DroverError a caller can act on (pure). git runs with
 * LC_ALL=C, so its messages are stable enough to classify. Every message is scrubbed of URL
 * credentials and of the token before it leaves.
 */
import { DroverError, scrubSecrets, type ErrorCode } from '../../manifests/errors.js';
import { scrubToken } from './git-env.js';
import type { GitCommandFailure } from './git-run.js';
import type { UrlKind } from './url.js';

/** What the failed operation was about, for the message. */
export interface FetchContext {
  /** e.g. `fetching branch "main" from ssh://***@host/repo.git`. */
  action: string;
  /** e.g. `branch "main"`. */
  ref: string;
  url: string;
  urlKind: UrlKind;
  timeoutMs: number;
  sshKeyFile?: string;
  knownHostsFile?: string;
  token?: string;
}

type Rule = { code: ErrorCode; test: RegExp; hint: (ctx: FetchContext) => string };

const RULES: Rule[] = [
  {
    code: 'E_SOURCE_HOST_KEY',
    test: /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for \S+ has changed|No \S+ host key is known/,
    hint: (c) => `the server's host key is not in the known_hosts file ${c.knownHostsFile ?? '(ssh default)'} or does not match it; check the server's key fingerprint out of band and add it to that file (drover never trusts a host key on first use)`,
  },
  {
    code: 'E_SOURCE_AUTH',
    test: /Permission denied \(|Authentication failed|could not read (Username|Password)|returned error: 40[13]|access denied/i,
    hint: (c) => c.urlKind === 'ssh'
      ? `the server refused the deploy key${c.sshKeyFile ? ` ${c.sshKeyFile}` : ''}; add its public half to the repository's deploy keys, or fix sshKeyFile`
      : `the server refused the credentials; check that the token (tokenFile/tokenEnv) is set and may read the repository`,
  },
  {
    code: 'E_SOURCE_REF_NOT_FOUND',
    test: /couldn't find remote ref|not our ref|unadvertised object|no such remote ref|unknown revision|bad object|Needed a single revision/,
    hint: (c) => `${c.ref} does not exist in ${c.url}; check the ref in the source settings, or push it`,
  },
  {
    code: 'E_SOURCE_TIMEOUT',
    test: /timed out|Operation timed out/i,
    hint: (c) => `no answer within ${c.timeoutMs} ms; check that the server is up and reachable, or raise the source's timeout (the fetch is retried)`,
  },
];

/** git's output as trimmed lines that say something: no hints, no ssh's `@@@` banner frames. */
function meaningfulLines(output: string): string[] {
  return output
    .split('\n')
    .map((l) => l.replace(/^@+\s*|\s*@+$/g, '').trim())
    .filter((l) => l !== '' && !/^(hint|warning):/.test(l));
}

/** The lines that explain the failure: those the rule matched (and a key fingerprint), else the first ones; shortened. */
function gist(output: string, rule: Rule | undefined): string {
  const lines = meaningfulLines(output);
  const matched = rule ? lines.filter((l) => rule.test.test(l) || /SHA256:/.test(l)) : [];
  const text = (matched.length > 0 ? matched : lines).slice(0, 3).join('; ');
  return text.length > 400 ? `${text.slice(0, 400)}...` : text || 'no output';
}

/** Removes credentials (URL user:password, the token) from `text`. */
export function scrub(text: string, token: string | undefined): string {
  return scrubSecrets(scrubToken(text, token));
}

/**
 * The DroverError for a failed fetch: E_SOURCE_TIMEOUT (transient) when it ran too long,
 * E_SOURCE_HOST_KEY / E_SOURCE_AUTH / E_SOURCE_REF_NOT_FOUND (stalled) when git says so,
 * otherwise E_SOURCE_FETCH (transient: the server may come back). The message names the
 * operation, git's own words, and what to do.
 */
export function fetchError(failure: GitCommandFailure, ctx: FetchContext): DroverError {
  const rule = failure.timedOut ? RULES.find((r) => r.code === 'E_SOURCE_TIMEOUT')! : RULES.find((r) => r.test.test(failure.output));
  const detail = failure.timedOut ? 'timed out' : gist(failure.output, rule);
  const code = rule?.code ?? 'E_SOURCE_FETCH';
  const hint = rule ? rule.hint(ctx) : `check that the URL is right and the server reachable; the last fetched revision stays in use and the fetch is retried`;
  const message = scrub(`${ctx.action} failed (${detail}): ${hint}`, ctx.token);
  return new DroverError(code, message);
}

/**
 * fetchError for a ref fetched to be previewed: a ref the remote does not have says what may be
 * previewed instead of pointing at the source settings (the followed ref is not in question).
 */
export function previewFetchError(failure: GitCommandFailure, ctx: FetchContext): DroverError {
  const error = fetchError(failure, ctx);
  if (error.code !== 'E_SOURCE_REF_NOT_FOUND') return error;
  const detail = failure.timedOut ? 'timed out' : gist(failure.output, RULES.find((r) => r.code === error.code));
  return new DroverError(error.code, scrub(`${ctx.ref} does not exist in ${ctx.url} (${detail}): push it, or give a branch, a tag, a full ref such as refs/pull/12/head, or a 40-hex commit`, ctx.token));
}
