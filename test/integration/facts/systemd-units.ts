/** The systemd units the facts tests (and the systemd-live fixture generator) prepare on a host. */

/**
 * Prepares units on a systemd host: drover-facts.service enabled and running, drover-idle.service
 * installed but disabled and stopped, drover-masked.service masked.
 */
export const SYSTEMD_SETUP = [
  "printf '[Unit]\\nDescription=drover facts test unit\\n[Service]\\nExecStart=/bin/sleep infinity\\n[Install]\\nWantedBy=multi-user.target\\n' > /etc/systemd/system/drover-facts.service",
  'cp /etc/systemd/system/drover-facts.service /etc/systemd/system/drover-idle.service',
  'systemctl mask drover-masked.service',
  'systemctl daemon-reload',
  'systemctl enable --now drover-facts.service',
  'systemctl is-active drover-facts.service',
].join(' && ');

/** The service resources SYSTEMD_SETUP prepares, plus ssh and one that does not exist. */
export const SYSTEMD_SERVICES = ['ssh', 'drover-facts', 'drover-idle', 'drover-masked', 'nosuch', 'ssh.socket'];
