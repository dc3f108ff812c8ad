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
  webhookSecret?: Secret;
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
