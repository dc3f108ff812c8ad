/**
 * A validated config -> ControllerSettings: durations in ms, paths absolute (relative to the config
 * file's directory; command-line values relative to the working directory), credentials read from
 * their files or environment variables, and the state directory chosen.
 */
import { access, readFile, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { ControllerConfig } from '../../schema/generated/config.js';
import { parseDuration } from './duration.js';
import type { ConfigProblems } from './errors.js';
import { Secret } from './secret.js';
import type { AgeIdentity, ControllerSettings, SourceRef, SourceSettings } from './types.js';
import { parseShardText } from './shard.js';
import { resolveReport } from './report.js';

/** What resolution needs from the process. */
export interface ResolveContext {
  /** Directory relative paths of the config are resolved against (the config file's, else cwd). */
  baseDir: string;
  env: Record<string, string | undefined>;
  isRoot: boolean;
  cwd: string;
  configFile?: string;
}

/**
 * The state directory when none is configured: `$STATE_DIRECTORY` (systemd's StateDirectory=; the
 * first entry when it lists several), then /var/lib/drover as root, else ./.drover-state.
 */
export function defaultStateDir(ctx: { env: Record<string, string | undefined>; isRoot: boolean; cwd: string }): string {
  const systemd = ctx.env.STATE_DIRECTORY?.split(':')[0];
  if (systemd) return resolve(ctx.cwd, systemd);
  return ctx.isRoot ? '/var/lib/drover' : join(ctx.cwd, '.drover-state');
}

/** Resolves `config`; problems (unreadable files, unset variables) go to `problems`. */
export async function resolveConfig(config: ControllerConfig, ctx: ResolveContext, problems: ConfigProblems): Promise<ControllerSettings> {
  const path = (p: string): string => (isAbsolute(p) ? p : resolve(ctx.baseDir, p));
  const ms = (value: string | undefined, fallback: string): number => parseDuration(value ?? fallback) ?? 0;
  const readable = async (at: string[], p: string | undefined): Promise<string | undefined> => {
    if (p === undefined) return undefined;
    const full = path(p);
    await access(full, constants.R_OK).catch((err: NodeJS.ErrnoException) => problems.at(at, unreadable(p, err)));
    return full;
  };
  const known = await readable(['sshKnownHostsFile'], config.sshKnownHostsFile);
  const settings: ControllerSettings = {
    source: await resolveSource(config, { ...ctx, path, readable, problems, sshKnownHostsFile: known }),
    stateDir: config.stateDir === undefined ? defaultStateDir(ctx) : path(config.stateDir),
    listen: config.listen ?? '127.0.0.1:8080',
    concurrency: config.concurrency ?? 20,
    selfHeal: config.selfHeal ?? false,
    driftIntervalMs: ms(config.driftInterval, '5m'),
    runTimeoutMs: ms(config.runTimeout, '10m'),
    shutdownGraceMs: ms(config.shutdownGrace, '30s'),
    idleConnectionMs: ms(config.idleConnectionTimeout, '5m'),
    observedWithinMs: ms(config.observedWithin, '30s'),
    retry: { baseMs: (config.retry?.baseSeconds ?? 10) * 1000, maxMs: (config.retry?.maxSeconds ?? 300) * 1000 },
    circuitBreaker: { failures: config.circuitBreaker?.failures ?? 5, cooldownMs: (config.circuitBreaker?.cooldownSeconds ?? 300) * 1000 },
    ssh: { connectTimeoutMs: ms(config.sshConnectTimeout, '10s') },
    suspendedHosts: config.suspendedHosts ?? [],
    logLevel: config.logLevel ?? 'info',
  };
  if (ctx.configFile !== undefined) settings.configFile = ctx.configFile;
  if (config.metricsListen !== undefined) settings.metricsListen = config.metricsListen;
  if (config.previews !== undefined) {
    const { concurrency, keep, retention } = config.previews;
    settings.previews = { ...(concurrency === undefined ? {} : { concurrency }), ...(keep === undefined ? {} : { keep }), ...(retention === undefined ? {} : { retentionMs: ms(retention, '1h') }) };
  }
  if (known !== undefined) settings.ssh.knownHostsFile = known;
  if (config.tls !== undefined) {
    const certFile = await readable(['tls', 'certFile'], config.tls.certFile);
    const keyFile = await readable(['tls', 'keyFile'], config.tls.keyFile);
    if (certFile !== undefined && keyFile !== undefined) settings.tls = { certFile, keyFile };
  }
  if (config.sshIdentityFiles !== undefined) {
    settings.ssh.identityFiles = await Promise.all(config.sshIdentityFiles.map((f, i) => readable(['sshIdentityFiles', String(i)], f) as Promise<string>));
  }
  if (config.shard !== undefined) {
    const parsed = parseShardText(config.shard);
    if (!('problem' in parsed)) settings.shard = parsed;
  }
  const warn = (message: string): void => { (settings.warnings ??= []).push(message); };
  const api = await readSecret({ file: config.apiTokenFile, env: config.apiTokenEnv, at: 'apiToken', minLength: MIN_SECRET_LENGTH }, { ...ctx, path, problems, warn });
  if (api) settings.apiToken = api;
  const webhook = await readSecret({ file: config.webhookSecretFile, env: config.webhookSecretEnv, at: 'webhookSecret', minLength: MIN_SECRET_LENGTH }, { ...ctx, path, problems, warn });
  if (webhook) settings.webhookSecret = webhook;
  const age = await resolveAgeIdentity(config, { env: ctx.env, path, problems });
  if (age) settings.ageIdentity = age;
  await resolveReport(config, settings, (spec) => readSecret(spec, { ...ctx, path, problems, warn }), problems);
  return settings;
}

/**
 * ageIdentityFile, else the file in $DROVER_AGE_IDENTITY_FILE, else the key in $DROVER_AGE_IDENTITY.
 * An unreadable or empty file stops the start; its lines are checked by the gate (config imports no
 * manifests code), which rejects revisions with encrypted secrets when the identity is not one.
 */
async function resolveAgeIdentity(
  config: ControllerConfig,
  h: { env: Record<string, string | undefined>; path: (p: string) => string; problems: ConfigProblems },
): Promise<AgeIdentity | undefined> {
  const file = config.ageIdentityFile ?? (h.env.DROVER_AGE_IDENTITY_FILE || undefined);
  const origin = config.ageIdentityFile !== undefined ? `ageIdentityFile ${file}` : file !== undefined ? `DROVER_AGE_IDENTITY_FILE=${file}` : 'DROVER_AGE_IDENTITY';
  const text = file !== undefined
    ? await readFile(h.path(file), 'utf8').catch((err: NodeJS.ErrnoException) => {
      h.problems.at(['ageIdentityFile'], unreadable(file, err));
      return undefined;
    })
    : h.env.DROVER_AGE_IDENTITY || undefined;
  if (text === undefined) return undefined;
  if (text.trim() === '') {
    h.problems.at(['ageIdentityFile'], `${origin} is empty; it must hold an age identity (AGE-SECRET-KEY-1..., as written by age-keygen)`);
    return undefined;
  }
  return { keys: new Secret(text), origin };
}

interface Helpers extends ResolveContext {
  sshKnownHostsFile: string | undefined;
  path: (p: string) => string;
  readable: (at: string[], p: string | undefined) => Promise<string | undefined>;
  problems: ConfigProblems;
}

async function resolveSource(config: ControllerConfig, h: Helpers): Promise<SourceSettings> {
  const s = config.source;
  const ref: SourceRef = s.tag !== undefined ? { tag: s.tag } : s.commit !== undefined ? { commit: s.commit } : { branch: s.branch ?? 'main' };
  const source: SourceSettings = {
    url: isLocalPath(s.url) ? h.path(s.url) : s.url,
    ref,
    timeoutMs: parseDuration(s.timeout ?? '60s') ?? 0,
    intervalMs: parseDuration(s.interval ?? '1m') ?? 0,
    jitterMs: parseDuration(s.jitter ?? '0s') ?? 0,
    allowNonFastForward: s.allowNonFastForward ?? false,
    verifySignatures: s.verifySignatures ?? false,
  };
  if (s.path !== undefined && s.path !== '') source.path = s.path;
  const key = await h.readable(['source', 'auth', 'sshKeyFile'], s.auth?.sshKeyFile);
  if (key !== undefined) source.sshKeyFile = key;
  const known = s.auth?.knownHostsFile === undefined ? h.sshKnownHostsFile : await h.readable(['source', 'auth', 'knownHostsFile'], s.auth.knownHostsFile);
  if (known !== undefined) source.knownHostsFile = known;
  const signers = await h.readable(['source', 'allowedSignersFile'], s.allowedSignersFile);
  if (signers !== undefined) source.allowedSignersFile = signers;
  const token = await readSecret({ file: s.auth?.tokenFile, env: s.auth?.tokenEnv, at: ['source', 'auth', 'token'] }, h);
  if (token) source.token = token;
  return source;
}

function unreadable(written: string, err: NodeJS.ErrnoException): string {
  const relative = isAbsolute(written) ? '' : ' (relative paths start at the config file\'s directory)';
  return `cannot read ${written}: ${err.code === 'ENOENT' ? 'no such file' : (err.code ?? err.message)}${relative}; give the path of an existing, readable file`;
}

/** A path rather than a URL: no scheme and not scp-like `user@host:path`. */
export function isLocalPath(url: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^[^/@\s]+@[^/:\s]+:/.test(url);
}

/**
 * A secret from its file (warning when others may read it) or environment variable. `minLength`: a
 * shorter one is a problem (a token guessed in a few tries protects nothing).
 */
export async function readSecret(
  spec: { file: string | undefined; env: string | undefined; at: string | readonly (string | number)[]; minLength?: number; keys?: { file: string; env: string }; label?: string },
  h: { path: (p: string) => string; env: Record<string, string | undefined>; problems: ConfigProblems; warn?: (message: string) => void },
): Promise<Secret | undefined> {
  const base = typeof spec.at === 'string' ? [] : spec.at.slice(0, -1);
  const last = typeof spec.at === 'string' ? spec.at : String(spec.at[spec.at.length - 1]);
  const stem = spec.label ?? last;
  // Keys of the file and variable: `<stem>File`/`<stem>Env`, or as given (apiTokens[].file/env).
  const keys = spec.keys ?? { file: `${last}File`, env: `${last}Env` };
  const where = spec.file !== undefined ? keys.file : keys.env;
  let value: string | undefined;
  if (spec.file !== undefined) {
    const full = h.path(spec.file);
    const text = await readFile(full, 'utf8').catch((err: NodeJS.ErrnoException) => {
      h.problems.at([...base, where], unreadable(spec.file!, err));
      return undefined;
    });
    value = text?.trim();
    if (text !== undefined && !value) h.problems.at([...base, where], `${spec.file} is empty; write the ${stem} into it`);
    const mode = value ? (await stat(full)).mode & 0o777 : 0;
    if ((mode & 0o077) !== 0) h.warn?.(`${spec.file} (${stem}) can be read by others than its owner (mode ${mode.toString(8)}); chmod 600 it`);
  } else if (spec.env !== undefined) {
    value = h.env[spec.env]?.trim();
    if (!value) h.problems.at([...base, where], `environment variable ${spec.env} is not set (or empty); set it to the ${stem}, or use ${keys.file}`);
  }
  if (value && spec.minLength !== undefined && value.length < spec.minLength) {
    h.problems.at([...base, where], `the ${stem} is ${value.length} characters; use at least ${spec.minLength} random ones (e.g. \`openssl rand -hex 24\`)`);
    return undefined;
  }
  return value ? new Secret(value) : undefined;
}

/** The shortest API token or webhook secret accepted. */
export const MIN_SECRET_LENGTH = 16;
