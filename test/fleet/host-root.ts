import { chmodSync, chownSync, copyFileSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { renderSshdConfig, type HostEndpoint, type KeyPair } from './ssh-files.js';

/**
 * Units masked in systemd hosts: pointless in a test host, slow, or binding ports that
 * all hosts share (postgresql on :5432).
 */
const MASKED_UNITS = [
  'getty@tty1.service', 'getty@.service', 'console-getty.service', 'serial-getty@.service', 'container-getty@.service',
  'systemd-timesyncd.service', 'systemd-pstore.service', 'systemd-networkd-wait-online.service',
  'apt-daily.timer', 'apt-daily-upgrade.timer', 'dpkg-db-backup.timer', 'man-db.timer', 'fstrim.timer',
  'e2scrub_all.timer', 'e2scrub_reap.service', 'postgresql.service',
];

/**
 * Writes a host's own files straight into its (not yet mounted) overlay upper dir, which
 * saves a dozen commands per host at start: sshd config and keys under /etc/ssh/drover,
 * /etc/hostname, /etc/hosts with the host's name, /etc/skel dotfiles in /root; for
 * systemd hosts also /etc/ssh/sshd_config (read by the packaged ssh.service), a unique
 * /etc/machine-id and the masked units.
 */
export function prepareHostRoot(options: { upper: string; endpoint: HostEndpoint; systemd: boolean; hostKey: KeyPair; clientPublicKey: string }): void {
  const { upper, endpoint, systemd } = options;
  const put = (path: string, content: string, mode = 0o644): void => writeUpperFile({ upper, path, content, mode });
  const sshdConfig = renderSshdConfig({ host: endpoint, systemd });
  put('/etc/ssh/drover/sshd_config', sshdConfig);
  put('/etc/ssh/drover/ssh_host_ed25519_key', readFileSync(options.hostKey.privateKeyFile, 'utf8'), 0o600);
  put('/etc/ssh/drover/ssh_host_ed25519_key.pub', `${options.hostKey.publicKey}\n`);
  put('/etc/ssh/drover/authorized_keys', `${options.clientPublicKey}\n`);
  put('/etc/hostname', `${endpoint.name}\n`);
  // So that sudo and friends resolve the host's own name.
  put('/etc/hosts', `${readFileSync('/etc/hosts', 'utf8').trimEnd()}\n${endpoint.address}\t${endpoint.name}\n`);
  for (const dotfile of ['.bashrc', '.profile']) {
    ensureUpperDir({ upper, path: '/root' });
    copyFileSync(join('/etc/skel', dotfile), join(upper, 'root', dotfile));
  }
  if (!systemd) return;
  put('/etc/ssh/sshd_config', sshdConfig);
  put('/etc/machine-id', `${randomBytes(16).toString('hex')}\n`, 0o444);
  ensureUpperDir({ upper, path: '/etc/systemd/system' });
  for (const unit of MASKED_UNITS) symlinkSync('/dev/null', join(upper, 'etc/systemd/system', unit));
}

function writeUpperFile(options: { upper: string; path: string; content: string; mode: number }): void {
  ensureUpperDir({ upper: options.upper, path: dirname(options.path) });
  const target = join(options.upper, options.path);
  writeFileSync(target, options.content, { mode: options.mode });
  chmodSync(target, options.mode);
}

/**
 * Creates `path` in the upper dir with the mode and owner of the same dir in `/`: an
 * upper dir's attributes win in the merged view, so /root must stay 0700.
 */
function ensureUpperDir(options: { upper: string; path: string }): void {
  let sub = '';
  for (const part of options.path.split('/').filter(Boolean)) {
    sub = `${sub}/${part}`;
    const target = join(options.upper, sub);
    let lower: { mode: number; uid: number; gid: number };
    try {
      lower = statSync(sub);
    } catch {
      lower = { mode: 0o755, uid: 0, gid: 0 };
    }
    try {
      mkdirSync(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    chmodSync(target, lower.mode & 0o7777);
    chownSync(target, lower.uid, lower.gid);
  }
}
