import { copyFileSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { renderSshdConfig, type HostEndpoint, type KeyPair } from './ssh-files.js';
import { writeOwnSshdStartup } from './systemd-sshd.js';
import { ensureUpperDir, linkInUpper, writeUpperFile, type UpperLayer } from './upper-layer.js';

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
 * systemd hosts also a unique /etc/machine-id, the masked units and the host's own sshd
 * start-up (systemd-sshd.ts), so nothing in the machine's /etc/systemd decides whether it boots.
 */
export function prepareHostRoot(options: { upper: string; endpoint: HostEndpoint; systemd: boolean; hostKey: KeyPair; clientPublicKey: string }): void {
  const { endpoint, systemd } = options;
  const layer: UpperLayer = { upper: options.upper, lower: '/' };
  const put = (path: string, content: string, mode = 0o644): void => writeUpperFile(layer, { path, content, mode });
  put('/etc/ssh/drover/sshd_config', renderSshdConfig({ host: endpoint, systemd }));
  put('/etc/ssh/drover/ssh_host_ed25519_key', readFileSync(options.hostKey.privateKeyFile, 'utf8'), 0o600);
  put('/etc/ssh/drover/ssh_host_ed25519_key.pub', `${options.hostKey.publicKey}\n`);
  put('/etc/ssh/drover/authorized_keys', `${options.clientPublicKey}\n`);
  put('/etc/hostname', `${endpoint.name}\n`);
  // So that sudo and friends resolve the host's own name.
  put('/etc/hosts', `${readFileSync('/etc/hosts', 'utf8').trimEnd()}\n${endpoint.address}\t${endpoint.name}\n`);
  ensureUpperDir(layer, '/root');
  for (const dotfile of ['.bashrc', '.profile']) copyFileSync(join('/etc/skel', dotfile), join(options.upper, 'root', dotfile));
  if (!systemd) return;
  put('/etc/machine-id', `${randomBytes(16).toString('hex')}\n`, 0o444);
  for (const unit of MASKED_UNITS) linkInUpper(layer, { path: `/etc/systemd/system/${unit}`, target: '/dev/null' });
  writeOwnSshdStartup(layer);
}
