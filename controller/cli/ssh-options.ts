import type { Command } from 'commander';
import { DroverError } from '../../manifests/errors.js';
import { resolveSshSettings, type SshSettings } from '../reconcile/ssh-settings.js';
import type { CliIo } from './io.js';
import { collect } from './select.js';

/** Adds the SSH flags shared by every command that reaches hosts. */
export function addSshOptions(cmd: Command): Command {
  return cmd
    .option('--known-hosts <file>', 'known_hosts file to verify host keys against (default $DROVER_KNOWN_HOSTS or ~/.ssh/known_hosts)')
    .option('-i, --identity <file>', 'private key file (repeatable; default $DROVER_IDENTITY or ~/.ssh/id_*)', collect)
    .option('--connect-timeout <seconds>', 'SSH connect timeout in seconds', '10');
}

/** Reads the SSH flags into settings. */
export function sshSettingsFrom(io: CliIo, opts: { knownHosts?: string; identity?: string[]; connectTimeout?: string }): SshSettings {
  const timeout = Number(opts.connectTimeout ?? '10');
  if (!Number.isFinite(timeout) || timeout <= 0) throw new DroverError('E_USAGE', `--connect-timeout must be a positive number of seconds, got "${opts.connectTimeout}"`);
  return resolveSshSettings({
    env: io.env,
    ...(opts.knownHosts === undefined ? {} : { knownHosts: opts.knownHosts }),
    ...(opts.identity === undefined ? {} : { identities: opts.identity }),
    connectTimeoutSeconds: timeout,
  });
}

/** Parses a positive integer option. */
export function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new DroverError('E_USAGE', `${name} must be a positive integer, got "${value}"`);
  return n;
}
