/**
 * The environment every git process of the source runs with (pure). Credentials travel only here,
 * never on a command line (where `ps` shows them): the token as an `http.extraHeader` through
 * GIT_CONFIG_COUNT/KEY/VALUE, the deploy key and known_hosts through GIT_SSH_COMMAND.
 */
import type { SourceSpec } from './types.js';

/** Quotes `text` for the POSIX shell git runs GIT_SSH_COMMAND with. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The `Authorization` header value for `token`: HTTP Basic with the user GitHub documents (GitLab, Gitea and Bitbucket accept any user). */
export function authorizationHeader(token: string): string {
  return `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
}

/**
 * The ssh command for ssh URLs: no user or system ssh_config (-F /dev/null), only the given key,
 * the host key checked against the given known_hosts only and never added to it (no trust on
 * first use), no prompts, and a connect timeout so a silent server cannot hold the fetch.
 */
export function sshCommand(spec: Pick<SourceSpec, 'sshKeyFile' | 'knownHostsFile' | 'timeoutMs'>): string {
  const seconds = Math.max(1, Math.ceil(spec.timeoutMs / 1000));
  const options = [
    'ssh', '-F', '/dev/null',
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'UpdateHostKeys=no',
    '-o', `ConnectTimeout=${seconds}`,
    '-o', 'ServerAliveInterval=15',
    '-o', 'LogLevel=ERROR',
  ];
  if (spec.sshKeyFile) options.push('-i', shellQuote(spec.sshKeyFile));
  if (spec.knownHostsFile) {
    options.push('-o', shellQuote(`UserKnownHostsFile=${spec.knownHostsFile}`), '-o', 'GlobalKnownHostsFile=/dev/null');
  }
  return options.join(' ');
}

/**
 * The full environment for git: PATH and HOME from `base` only (nothing else of the caller's
 * environment leaks in, e.g. an EDITOR or a credential helper), C locale (error messages are
 * classified by their text), no system or global git config, no terminal prompts, and config
 * entries through GIT_CONFIG_* (the token header; a low-speed limit so a stalled https transfer ends).
 */
export function gitEnvironment(spec: SourceSpec, base: NodeJS.ProcessEnv): Record<string, string> {
  const seconds = Math.max(1, Math.ceil(spec.timeoutMs / 1000));
  const config: [string, string][] = [
    ['http.lowSpeedLimit', '1'],
    ['http.lowSpeedTime', String(seconds)],
  ];
  if (spec.token !== undefined) config.push(['http.extraHeader', `Authorization: ${authorizationHeader(spec.token)}`]);
  const env: Record<string, string> = {
    PATH: base.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: base.HOME ?? '/',
    LC_ALL: 'C',
    LANG: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_SSH_COMMAND: sshCommand(spec),
    GIT_CONFIG_COUNT: String(config.length),
  };
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

/** Removes `token` (raw and as its Authorization header value) from `text`. */
export function scrubToken(text: string, token: string | undefined): string {
  if (!token) return text;
  const encoded = authorizationHeader(token).slice('Basic '.length);
  return text.split(token).join('***').split(encoded).join('***');
}
