/**
 * Every error code drover uses, once, with what it means for whoever meets it:
 * - `kind`: what the controller does next when a run ends with it (see ErrorKind);
 * - `http`: the status the HTTP API answers with when a request fails with it;
 * - `exit`: the CLI's exit code (1: the command failed; 3: a host failed with it, the others went on);
 * - `unreachable`: the network did not let drover talk to the host (the host is `Unreachable`, its breaker counts it);
 * - `doc`: one line: what happened and what to do. docs/errors.md is generated from this table.
 * DroverError's `code` is typed by this table, so a code that is not here does not compile.
 */

/**
 * - `transient`: may go away by itself (a timeout, a lost connection, a failed step): retried with backoff;
 * - `stalled`: needs a human or new input (a refused host key, a bad config): not retried until a trigger
 *   (a new revision, a drift check, a sync) tries again;
 * - `terminal`: the run ended for good at this revision (rolled back): not applied again, not even by drift
 *   checks, until the revision changes or someone syncs by hand;
 * - `internal`: a bug in drover: its stack is logged; retried with backoff like a transient error.
 */
export type ErrorKind = 'transient' | 'stalled' | 'terminal' | 'internal';

/** One code's entry. */
export interface ErrorSpec {
  kind: ErrorKind;
  http: number;
  exit: 1 | 3;
  unreachable?: true;
  doc: string;
}

const host = (kind: ErrorKind, doc: string, extra: Partial<ErrorSpec> = {}): ErrorSpec => ({ kind, http: 500, exit: 3, doc, ...extra });
const command = (kind: ErrorKind, http: number, doc: string): ErrorSpec => ({ kind, http, exit: 1, doc });
const net = (doc: string): ErrorSpec => host('transient', doc, { unreachable: true, http: 502 });

/** The registry. Keep entries grouped by where they arise; docs/errors.md follows this order. */
export const ERROR_CODES = {
  // Manifests and the repository
  E_MANIFEST_INVALID: command('stalled', 422, 'The manifest repository does not validate; every problem is printed as file:line:col  path  message. Fix them; nothing was touched.'),
  E_REPO_NOT_FOUND: command('stalled', 400, 'The manifest repository directory does not exist or holds no drover.yaml/hosts/. Pass the right directory, or run `drover init`.'),
  E_DEPENDENCY_CYCLE: command('stalled', 422, 'Resources of a host depend on each other in a cycle (dependsOn, notify). Break the cycle in the manifests.'),
  E_SCHEMA_REF: command('internal', 500, "A JSON Schema of drover's refers to a definition that does not exist (a bug in drover's schemas)."),
  E_SECRET_INVALID: command('stalled', 422, 'A secrets/ file is not a valid age-encrypted secret, or its name is not allowed. Re-create it with `drover secrets set`.'),
  E_SECRET_DECRYPT: command('stalled', 422, "A secret cannot be decrypted with the given age identity. Check the identity (--age-identity, ageIdentityFile) and the secret's recipients."),
  E_SECRET_IDENTITY: command('stalled', 400, 'The age identity is missing, unreadable or not an age secret key. Point --age-identity or ageIdentityFile at an AGE-SECRET-KEY-1... file.'),
  E_SECRET_RECIPIENTS: command('stalled', 400, 'secrets/recipients.txt is missing or holds no valid age recipient. Add the public keys (age1...) that may decrypt secrets.'),
  E_SECRET_EDIT: command('stalled', 400, 'A secret cannot be edited safely here (no tmpfs for the plaintext, or the editor failed). Use `drover secrets set NAME` with the value on stdin.'),
  // The command line
  E_USAGE: command('stalled', 400, 'The command line is wrong (unknown host, option value, or no terminal to confirm on). The message says what to pass instead.'),
  E_UNKNOWN_STEP: command('stalled', 400, 'The host has no step of that name. `drover steps HOST` lists them.'),
  E_INIT_NOT_EMPTY: command('stalled', 400, '`drover init` refuses a directory that is not empty. Choose another, or pass --force.'),
  E_INIT_NOT_A_DIRECTORY: command('stalled', 400, '`drover init` was given a path that exists and is not a directory.'),
  E_INIT_GIT: command('stalled', 500, '`drover init` could not create the Git repository or its first commit (is git installed and user.name/email set?).'),
  E_CONTROLLER_UNREACHABLE: command('transient', 502, 'The CLI could not reach the controller at --controller URL. Check the URL and that the controller runs.'),
  E_CONTROLLER_ANSWER: command('transient', 502, 'The controller answered with something that is not drover JSON (a proxy in between?). Check --controller URL.'),
  // Configuration of the controller
  E_CONFIG_INVALID: command('stalled', 400, 'The controller config does not validate; problems are printed as file:line:col  path  message.'),
  E_CONFIG_LOAD: command('stalled', 400, 'The controller config file cannot be read or parsed.'),
  E_CONFIG_NOT_FOUND: command('stalled', 400, 'The config file given with --config does not exist.'),
  E_CONFIG_NO_SOURCE: command('stalled', 400, 'The controller has no source to follow: set source.url in the config, or pass --repo.'),
  E_SHARD_INVALID: command('stalled', 400, 'The shard (--shard I/N, or the pod ordinal and DROVER_REPLICAS) is not of the form INDEX/COUNT with 0 <= INDEX < COUNT.'),
  E_TLS_FILES: command('stalled', 400, 'The TLS certificate or key of the HTTP listener cannot be read.'),
  E_LISTEN: command('stalled', 500, 'The HTTP listener cannot bind its address (in use, or a non-loopback address without an API token).'),
  // The controller's state
  E_STATE_CORRUPT: command('stalled', 500, 'A state file is damaged; the controller does not start over it. The message names the file: repair it or remove it (that host is then observed afresh).'),
  E_STATE_WRITE: host('transient', 'A state file could not be written (disk full, read-only). Runs are retried with backoff and /readyz says not ready until writes succeed again.'),
  E_STATE_LOCKED: command('stalled', 409, 'Another controller holds the state dir (its pid, host and API address are named). Stop it, or give this one another stateDir; a holder that died leaves no lock behind.'),
  E_STATE_HOST_NAME: command('internal', 500, 'A host name cannot name a state file (a bug: the inventory allows only safe names).'),
  // The Git source
  E_SOURCE_CONFIG: command('stalled', 400, 'The source settings are invalid (URL, ref, credentials); the message lists each problem.'),
  E_SOURCE_FETCH: command('transient', 502, 'Fetching the repository failed; the last fetched revision stays in use and the fetch is retried.'),
  E_SOURCE_TIMEOUT: command('transient', 504, "The fetch ran past the source's timeout; retried. Check the server, or raise source.timeout."),
  E_SOURCE_AUTH: command('stalled', 502, 'The Git server refused the deploy key or token. Authorise it for the repository.'),
  E_SOURCE_HOST_KEY: command('stalled', 502, "The Git server's SSH host key is unknown or changed. Check it out of band and add it to source.knownHostsFile."),
  E_SOURCE_REF_NOT_FOUND: command('stalled', 404, 'The ref (branch, tag, commit) to follow or preview does not exist on the remote. Push it, or fix the ref.'),
  E_SOURCE_NON_FAST_FORWARD: command('stalled', 409, 'The followed branch was rewritten (force-push); refused. Set source.allowNonFastForward, or restore the history.'),
  E_SOURCE_SIGNATURE: command('stalled', 409, 'The commit is not signed by a key in source.allowedSignersFile; refused.'),
  E_SOURCE_SNAPSHOT: command('transient', 500, "Writing a revision's snapshot failed (space, permissions); retried."),
  E_SOURCE_STATE: command('stalled', 500, "The source's record of its accepted commit is unreadable. Restore it, or remove it to accept the fetched commit as the new base."),
  E_SOURCE_UNSAFE_SYMLINK: command('stalled', 422, 'A symlink in the repository points outside it; refused.'),
  // Reaching a host (SSH)
  E_CONNECT_REFUSED: net('The host refused the SSH connection (no sshd on that port). Retried with backoff; after repeated failures the circuit breaker waits a cool-down.'),
  E_CONNECT_TIMEOUT: net('The host did not answer within the connect timeout. Retried with backoff.'),
  E_UNREACHABLE: net('The network has no route to the host, or its name does not resolve. Retried with backoff.'),
  E_CONNECTION_LOST: net('The SSH connection dropped. Before an apply was sent the host is unreachable; after, the run goes on on the host by itself and finishes or restores what it changed.'),
  E_AUTH: host('stalled', "The host refused every key drover offered. Authorise the controller's key for that user on the host."),
  E_HOST_KEY_UNKNOWN: host('stalled', "The host's SSH key is not in known_hosts; drover never trusts on first use. Add the key after checking it out of band."),
  E_HOST_KEY_MISMATCH: host('stalled', "The host's SSH key differs from known_hosts (a rebuilt host, or someone in between). Check it, then update known_hosts."),
  E_SSH_PROTOCOL: host('stalled', 'The SSH handshake failed for another reason than the key (no common algorithm, not an SSH server). Needs a look; not retried by backoff.'),
  E_COMMAND_TIMEOUT: host('transient', 'A command on the host ran past its timeout and was killed. Retried with backoff.'),
  E_CANCELLED: host('stalled', 'The command was cancelled by drover (shutdown, timeout).'),
  E_UPLOAD_FAILED: host('stalled', 'Writing a file on the host failed (permissions, missing directory, unknown owner).'),
  E_UPLOAD_CUT: host('transient', 'Writing a file on the host was cut short (a short read, the shell killed); nothing half-written is left. Retried.'),
  E_UPLOAD_INVALID: host('internal', 'An upload was refused before anything was sent (relative path, bad mode): a bug in drover.'),
  // Observing, planning and applying
  E_PROBE_FAILED: host('transient', "The host's fact probe failed (a shell or tool error on the host). Retried; the message quotes the host's output."),
  E_PROBE_SUDO: host('stalled', "The probe could not use sudo on the host (a password asked, or the user not allowed). Give the user passwordless sudo, or connect as root."),
  E_PROBE_OUTPUT: host('internal', "The probe's output could not be parsed (a bug in drover, or a host tool answering unlike any known one)."),
  E_PROBE_TOKEN: host('internal', 'An internal check of the probe failed (a bug).'),
  E_FACT_MISSING: host('internal', 'A resource was planned without its fact (a bug).'),
  E_HOST_UNSUPPORTED: host('stalled', 'The host lacks a tool drover needs there (sha256sum, tar, a package manager). Install it, or use a supported platform.'),
  E_PLATFORM_MISMATCH: host('stalled', "The host's platform differs from the one its manifest declares (platform: rhel on a Debian host). Fix the manifest."),
  E_APPLY_INVALID: host('stalled', 'A resource cannot be applied as declared (e.g. an owner that does not exist on the host).'),
  E_APPLY_FAILED: host('transient', 'The apply script failed on the host before reporting its steps. Retried; the message quotes its output.'),
  E_APPLY_BUSY: host('transient', 'Another drover apply is running on the host (its lock is held). Retried with backoff.'),
  E_APPLY_OUTPUT: host('internal', "The apply script's report could not be read (a bug, or output cut off)."),
  E_STEP_FAILED: host('transient', 'A step failed on the host; the files it changed were restored from backup. Retried with backoff; the step and its output are shown.'),
  E_TEST_FAILED: host('transient', "A test_ check of the host failed. Retried with backoff; the check's output is shown."),
  E_NOT_CONVERGED: host('transient', 'The apply succeeded but a fresh observation still differs (a resource that is not idempotent). Retried; look at the steps named.'),
  E_RESOURCE_CONFLICT: host('stalled', "A resource drifted back after `conflict.repairs` repairs within `conflict.within` (a cron job, a package script or another tool keeps rewriting it): it is in Conflict and self-heal pauses for it alone; the host's answer lists each repair with what changed. Stop whatever rewrites it (or manage it there), then commit a change to the resource or run `drover sync --force-conflict`."),
  E_NOT_IDEMPOTENT: host('internal', "A fresh observation right after each of a resource's last `conflict.repairs` applies (in the same round trip) still found it different: the resource does not converge (a bug in drover, not the host's doing; please report it with the host's answer). It is in Conflict: self-heal pauses for it; a commit changing it or `drover sync --force-conflict` tries again."),
  E_ROLLED_BACK: host('terminal', "The host's checks failed after apply and the run was rolled back (rollbackOnFailedTests). That revision is not applied to the host again until the branch moves or someone syncs."),
  E_REBOOT_TIMEOUT: host('transient', 'drover rebooted the host (`reboot: auto`) and it did not answer with a new boot id within `rebootTimeout`. The run fails (its rollout wave counts it, so the wave halts without a failure budget) and is retried with backoff; look at the host\'s console.'),
  E_REBOOT_INEFFECTIVE: host('stalled', 'drover rebooted the host and it came back, yet still needs a reboot (the boot loader starts an older kernel, a marker survives the boot). Fix the host by hand; drover does not reboot it again until a new revision, a drift check or a sync.'),
  E_LOCKED_OUT: host('terminal', "drover could not confirm the run over a new SSH connection within confirmWithin (the change cut its own access: sshd config, keys, firewall...), so the host put the run's files back and restarted what they notify. That revision is not applied to the host again until the branch moves; fix the commit."),
  E_RUN_TIMEOUT: host('transient', 'The run took longer than runTimeout and was stopped; a run already sent to the host finishes or restores there. Retried.'),
  E_SHUTDOWN: host('transient', 'The controller stopped before the run ended; the next controller re-observes the host.'),
  E_HOST_UNKNOWN: command('stalled', 404, 'No host of that name in the inventory of the newest good revision.'),
  E_INTERNAL: command('internal', 500, 'A bug in drover; the stack is in the log. Please report it.'),
  // The HTTP API
  E_NOT_READY: command('transient', 503, 'The controller has no valid revision yet; try again once the first fetch has succeeded.'),
  E_HOST_OTHER_SHARD: command('stalled', 421, 'Another controller replica owns that host; the answer names its shard. Ask that replica.'),
  E_HOST_SUSPENDED: command('stalled', 409, 'The host is suspended; resume it first (drover resume HOST).'),
  E_SUSPENDED_BY_CONFIG: command('stalled', 409, "The host is suspended by the controller config (suspendedHosts); remove it there and restart the controller."),
  E_ROLLOUT_NOT_HALTED: command('stalled', 409, 'No rollout is halted, so there is nothing to resume.'),
  E_RUN_UNKNOWN: command('stalled', 404, 'No sync run with that id (runs are kept for a while, then forgotten).'),
  E_PREVIEW_UNKNOWN: command('stalled', 404, 'No preview with that id (previews are kept in memory for the config\'s previews.retention, the newest previews.keep, until the controller restarts). Start a new one.'),
  E_PREVIEW_LIMIT: command('transient', 429, 'previews.keep previews are unfinished already; retry when some are done.'),
  E_NOT_FOUND: command('stalled', 404, 'No such endpoint.'),
  E_UNAUTHENTICATED: command('stalled', 401, 'The request has no valid token. Send Authorization: Bearer <token>.'),
  E_API_TOKEN_REQUIRED: command('stalled', 400, 'The API would listen on a non-loopback address without a token; set apiTokenFile.'),
  E_WEBHOOK_SIGNATURE: command('stalled', 401, "The webhook's signature (HMAC) or token does not match the configured secret."),
  E_WEBHOOK_DISABLED: command('stalled', 403, 'That webhook provider has no secret configured, so its endpoint is off.'),
  E_BAD_REQUEST: command('stalled', 400, 'The request is malformed; the message says how.'),
  E_BAD_JSON: command('stalled', 400, 'The request body is not valid JSON.'),
  E_INVALID_REQUEST: command('stalled', 400, 'The request does not match the endpoint\'s schema; the message names each field.'),
  E_URI_TOO_LONG: command('stalled', 414, 'A part of the request path is longer than any host name or id can be.'),
  E_BODY_TOO_LARGE: command('stalled', 413, 'The request body is larger than the endpoint accepts.'),
  E_UNSUPPORTED_MEDIA_TYPE: command('stalled', 415, 'The request body is not JSON; send Content-Type: application/json.'),
  E_RATE_LIMITED: command('transient', 429, 'Too many requests (or failed logins) from this client; retry later.'),
  E_FORBIDDEN: command('stalled', 403, "The token's role does not allow this request (read: GET only; sync: also syncs and previews; admin: also suspend, resume and rollout resume). Use a token with that role (apiTokens in the controller config)."),
  E_CSRF: command('stalled', 403, "A status page action came without the page's CSRF token, or with one of another session (a form posted from another site, or a page older than the session). Reload the page and press the button again."),
  E_TOO_MANY_STREAMS: command('transient', 503, 'The status page has as many live event streams open as the controller keeps (200, one per open tab); a new one is answered with Retry-After, and its page refreshes itself every few seconds instead and asks again then. Close tabs, or retry later.'),
  // Reporting back: commit statuses, notifications, the event log
  E_DELIVERY_FAILED: command('transient', 502, 'A commit status or notification could not be delivered (the forge or receiver is down, slow, or answered 5xx/429/401/403); it stays queued on disk and is retried with backoff.'),
  E_DELIVERY_REFUSED: command('stalled', 502, 'The forge or receiver refused a commit status or notification for good (another 4xx: unknown repository or commit, invalid payload); it is dropped and logged with the answer.'),
  E_OUTBOX_FULL: command('transient', 507, 'The queue of undelivered commit statuses or notifications of one target reached its bound; the oldest entry was dropped. Fix the receiver (see drover_commit_status_total, drover_notifications_total).'),
  E_EVENT_LOG: command('transient', 500, 'The event log (<stateDir>/events) could not be written or read (disk full, permissions); reconciling goes on, the events of that moment are missing from the log.'),
} as const satisfies Record<string, ErrorSpec>;

/** A code of the registry. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The entry of `code`; an unknown code (from an old state file, say) reads as an internal error. */
export function errorSpec(code: string): ErrorSpec {
  return (ERROR_CODES as Record<string, ErrorSpec>)[code] ?? ERROR_CODES.E_INTERNAL;
}

/** True when `code` is in the registry. */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}
