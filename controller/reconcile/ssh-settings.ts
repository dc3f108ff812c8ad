import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** How drover authenticates and verifies hosts, shared by every host of a run. */
export interface SshSettings {
  knownHostsFile: string;
  identityFiles: string[];
  /** ssh-agent socket, when one is available. */
  agent?: string;
  connectTimeoutMs: number;
}

/**
 * Resolves SSH settings from flags, then the environment (DROVER_KNOWN_HOSTS, DROVER_IDENTITY
 * (colon-separated), SSH_AUTH_SOCK), then OpenSSH's defaults (~/.ssh/known_hosts, ~/.ssh/id_*).
 */
export function resolveSshSettings(options: {
  env: Record<string, string | undefined>;
  knownHosts?: string;
  identities?: string[];
  connectTimeoutSeconds?: number;
}): SshSettings {
  const home = options.env.HOME ?? homedir();
  const fromEnv = options.env.DROVER_IDENTITY?.split(':').filter(Boolean) ?? [];
  const defaults = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(home, '.ssh', f)).filter((f) => existsSync(f));
  const identities = options.identities?.length ? options.identities : fromEnv.length ? fromEnv : defaults;
  const settings: SshSettings = {
    knownHostsFile: options.knownHosts ?? options.env.DROVER_KNOWN_HOSTS ?? join(home, '.ssh', 'known_hosts'),
    identityFiles: identities,
    connectTimeoutMs: Math.round((options.connectTimeoutSeconds ?? 10) * 1000),
  };
  if (options.env.SSH_AUTH_SOCK) settings.agent = options.env.SSH_AUTH_SOCK;
  return settings;
}
