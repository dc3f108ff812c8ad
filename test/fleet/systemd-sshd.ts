import { hideInUpper, linkInUpper, writeUpperFile, type UpperLayer } from './upper-layer.js';

const UNITS = '/etc/systemd/system';

/**
 * The ssh.service of a systemd fleet host: the host's own unit, not the packaged one, so it reads
 * the fleet's sshd config (never the machine's /etc/ssh/sshd_config, which would listen on *:22)
 * and starts whatever the machine's ssh.service enablement is.
 */
export const FLEET_SSH_UNIT = `# Written by drover's test fleet (test/fleet/systemd-sshd.ts): this host's own sshd.
[Unit]
Description=OpenSSH server of a drover test-fleet host
After=network.target

[Service]
ExecStartPre=/usr/sbin/sshd -t -f /etc/ssh/drover/sshd_config
ExecStart=/usr/sbin/sshd -D -e -f /etc/ssh/drover/sshd_config
ExecReload=/bin/kill -HUP $MAINPID
KillMode=process
Restart=on-failure
RestartPreventExitStatus=255
Type=notify
RuntimeDirectory=sshd
RuntimeDirectoryMode=0755

[Install]
WantedBy=multi-user.target
Alias=sshd.service
`;

/**
 * What the machine's /etc/systemd may say about sshd that a host must not inherit: drop-ins that
 * would change the unit, and ssh.socket (enabled, it would listen on *:22, which all hosts share;
 * masked, it would make the host's unit list depend on the machine).
 */
const INHERITED = [`${UNITS}/ssh.service.d`, `${UNITS}/sshd.service.d`, `${UNITS}/ssh.socket`, `${UNITS}/ssh.socket.d`, `${UNITS}/sockets.target.wants/ssh.socket`];

/**
 * Gives a systemd host its own sshd start-up, entirely in its upper layer: ssh.service is
 * FLEET_SSH_UNIT (which also overrides a mask the machine may have), enabled by links in the upper
 * layer, and the machine's ssh drop-ins and ssh.socket state are hidden. So a host boots its sshd
 * whether the machine's ssh.service is enabled, disabled or masked (as a fresh machine has it after
 * prepare-machine.sh: disabled).
 */
export function writeOwnSshdStartup(layer: UpperLayer): void {
  writeUpperFile(layer, { path: `${UNITS}/ssh.service`, content: FLEET_SSH_UNIT, mode: 0o644 });
  linkInUpper(layer, { path: `${UNITS}/multi-user.target.wants/ssh.service`, target: `${UNITS}/ssh.service` });
  linkInUpper(layer, { path: `${UNITS}/sshd.service`, target: `${UNITS}/ssh.service` });
  for (const path of INHERITED) hideInUpper(layer, path);
}
