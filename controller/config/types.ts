/**
 * The controller's settings after loading: the config file (or the embedded default), command-line
 * overrides and the environment resolved into the values the daemon uses (milliseconds, absolute
 * paths, credentials read). Credentials are Secret objects, so logging settings whole is safe.
 */
import type { Secret } from './secret.js';

/** The revision to follow. */
export type SourceRef = { branch: string } | { tag: string } | { commit: string };

/** The Git source, as controller/source's SourceSpec wants it, plus the poll schedule. */
export interface SourceSettings {
  /** Local paths are absolute. */
  url: string;
  ref: SourceRef;
  path?: string;
  timeoutMs: number;
  intervalMs: number;
  jitterMs: number;
  sshKeyFile?: string;
  knownHostsFile?: string;
  token?: Secret;
  allowNonFastForward: boolean;
  verifySignatures: boolean;
  allowedSignersFile?: string;
}

/** An age identity file's text (AGE-SECRET-KEY-1... lines, checked) and where it came from, for messages. */
export interface AgeIdentity {
  keys: Secret;
  origin: string;
}

/** What an API token may do: read (GET only), sync (also syncs and previews), admin (everything). */
export type ApiRole = 'read' | 'sync' | 'admin';

/** One API token: its name (in the event log), role and value. */
export interface ApiTokenSettings {
  name: string;
  role: ApiRole;
  token: Secret;
}

/** Where commit statuses go (docs/report.md). */
export interface CommitStatusSettings {
  provider: 'github' | 'gitlab' | 'gitea';
  /** API base, without a trailing slash (gitea: the server's root; /api/v1 is appended when sending). */
  apiUrl: string;
  /** `owner/name` (GitLab: project path or numeric id). */
  repository: string;
  token: Secret;
  /** The status's context; default `drover` (or `drover/shard-I` for a sharded replica). */
  context?: string;
}

/** One notification target (docs/report.md). */
export interface NotificationSettings {
  /** The `target` label of drover_notifications_total and the name in logs (default: the index). */
  name: string;
  /** Where to POST: a Secret, since webhook URLs are credentials themselves (Slack). */
  url: Secret;
  format: 'json' | 'slack';
  /** Event types sent; undefined: the default set. */
  events?: string[];
  /** HMAC-SHA256 key of `X-Drover-Signature`. */
  secret?: Secret;
  batchWindowMs: number;
}

/** Bounds of the event log under <stateDir>/events. */
export interface EventLogSettings {
  maxBytes: number;
  maxEvents: number;
  maxAgeMs: number;
}

/** Everything `drover controller` runs with. */
export interface ControllerSettings {
  /** The config file read (absolute), or undefined for the embedded default. */
  configFile?: string;
  source: SourceSettings;
  /** Absolute. */
  stateDir: string;
  listen: string;
  metricsListen?: string;
  apiToken?: Secret;
  /** Named tokens with roles (apiTokens), besides `apiToken` (an admin token named `apiToken`). */
  apiTokens?: ApiTokenSettings[];
  webhookSecret?: Secret;
  /** Public URL of the status page (no trailing slash): commit statuses and notifications link to it. */
  publicUrl?: string;
  commitStatus?: CommitStatusSettings;
  notifications?: NotificationSettings[];
  /** Bounds of the event log (default: 128 MiB, 1,000,000 events, 30 days). */
  eventLog?: EventLogSettings;
  /** HTTPS for the API listener: PEM files (absolute paths, checked readable). */
  tls?: { certFile: string; keyFile: string };
  /** age identity decrypting the repository's secrets/*.age (ageIdentityFile, $DROVER_AGE_IDENTITY_FILE or $DROVER_AGE_IDENTITY). */
  ageIdentity?: AgeIdentity;
  concurrency: number;
  selfHeal: boolean;
  driftIntervalMs: number;
  runTimeoutMs: number;
  shutdownGraceMs: number;
  idleConnectionMs: number;
  /** A host observed this recently is planned from that observation (previews, applies of a new revision); 0: always probe (config `observedWithin`). */
  observedWithinMs: number;
  retry: { baseMs: number; maxMs: number };
  circuitBreaker: { failures: number; cooldownMs: number };
  ssh: { knownHostsFile?: string; identityFiles?: string[]; connectTimeoutMs: number };
  shard?: { index: number; count: number };
  suspendedHosts: string[];
  /** Previews (config `previews`; absent: the defaults, see daemon/previews). */
  previews?: { concurrency?: number; keep?: number; retentionMs?: number };
  /** What the config allows but should not be (a token file others can read): logged at start. */
  warnings?: string[];
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
}

/** What the command line can override (`drover controller --repo ... --state-dir ...`). */
export interface ConfigOverrides {
  /** Replaces source.url; with no config file, the embedded default follows this repository. */
  repo?: string;
  branch?: string;
  stateDir?: string;
  listen?: string;
  logLevel?: ControllerSettings['logLevel'];
}
