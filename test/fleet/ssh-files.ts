import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** An ed25519 key pair on disk. */
export interface KeyPair {
  privateKeyFile: string;
  /** The `ssh-ed25519 AAAA... comment` line. */
  publicKey: string;
}

/** Generates an ed25519 key without passphrase at `dir/name` (+ `.pub`). Throws if ssh-keygen fails. */
export function generateKey(options: { dir: string; name: string; comment: string }): KeyPair {
  const privateKeyFile = join(options.dir, options.name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', options.comment, '-f', privateKeyFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return { privateKeyFile, publicKey: readFileSync(`${privateKeyFile}.pub`, 'utf8').trim() };
}

/** What the ssh files need to know about one host. */
export interface HostEndpoint {
  name: string;
  address: string;
  port: number;
  localPort: number;
}

/** The sshd_config of one host: its two listen addresses, fleet key paths, tuned for many parallel clients. */
export function renderSshdConfig(options: { host: HostEndpoint; systemd: boolean }): string {
  const { host } = options;
  return [
    `ListenAddress ${host.address}:${host.port}`,
    `ListenAddress 127.0.0.1:${host.localPort}`,
    // Not Debian's /run/sshd.pid: /etc/init.d/ssh stop (a package's maintainer script, a test) would
    // otherwise stop the host's own sshd.
    'PidFile /run/sshd-drover-fleet.pid',
    'HostKey /etc/ssh/drover/ssh_host_ed25519_key',
    'AuthorizedKeysFile /etc/ssh/drover/authorized_keys',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'StrictModes no',
    // PAM sessions need logind, which only a systemd host has.
    `UsePAM ${options.systemd ? 'yes' : 'no'}`,
    'MaxStartups 100:30:200',
    'MaxSessions 50',
    'UseDNS no',
    'PrintMotd no',
    'AcceptEnv LANG LC_*',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

/** known_hosts naming `publicKey` for every host, as `127.77.s.n` and as `[127.0.0.1]:PORT`. */
export function renderKnownHosts(options: { hosts: HostEndpoint[]; publicKey: string }): string {
  const key = options.publicKey.split(' ').slice(0, 2).join(' ');
  const lines = options.hosts.flatMap((h) => [
    `${h.port === 22 ? h.address : `[${h.address}]:${h.port}`} ${key}`,
    `[127.0.0.1]:${h.localPort} ${key}`,
  ]);
  return `${lines.join('\n')}\n`;
}

/** ssh_config with one strict, batch-mode entry per host name. */
export function renderSshConfig(options: { hosts: HostEndpoint[]; identityFile: string; knownHostsFile: string }): string {
  const entries = options.hosts.map((h) =>
    [
      `Host ${h.name}`,
      `  HostName ${h.address}`,
      `  Port ${h.port}`,
      '  User root',
      `  IdentityFile ${options.identityFile}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${options.knownHostsFile}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '  LogLevel ERROR',
      '',
    ].join('\n'),
  );
  return entries.join('\n');
}
