/** SshOptions for test-fleet hosts (see test/fleet). */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SshOptions } from '../../../controller/transport/ssh.js';
import type { Fleet, FleetHost } from '../../fleet/index.js';

/** Root login to `host` with the fleet's client key and known_hosts, short timeouts. */
export function fleetSshOptions(fleet: Fleet, host: FleetHost, overrides: Partial<SshOptions> = {}): SshOptions {
  return {
    host: host.name,
    address: host.address,
    port: host.port,
    user: 'root',
    privateKeyFiles: [fleet.clientKeyFile],
    knownHostsFile: fleet.knownHostsFile,
    connectTimeoutMs: 5000,
    ...overrides,
  };
}

/** Number of successful public key logins in the host's sshd log (the fleet keeps it beside rootDir). */
export async function acceptedLogins(host: FleetHost): Promise<number> {
  const log = await readFile(join(dirname(host.rootDir), 'log'), 'utf8');
  return log.split('\n').filter((line) => line.includes('Accepted publickey')).length;
}
