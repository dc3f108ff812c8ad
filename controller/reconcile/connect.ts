import type { HostInfo } from '../../manifests/types.js';
import { createLocalTransport } from '../transport/local.js';
import { connectSsh } from '../transport/ssh.js';
import type { Transport } from '../transport/types.js';
import type { SshSettings } from './ssh-settings.js';

/**
 * Opens the transport for one inventory host: the local transport for address `localhost`,
 * otherwise SSH with strict host key checking. Rejects with the transport's typed errors.
 */
export async function connectHost(host: HostInfo, settings: SshSettings): Promise<Transport> {
  if (host.address === 'localhost') return createLocalTransport({ host: host.name, sudo: host.sudo });
  return connectSsh({
    host: host.name,
    address: host.address,
    port: host.port,
    user: host.user,
    privateKeyFiles: settings.identityFiles,
    ...(settings.agent === undefined ? {} : { agent: settings.agent }),
    knownHostsFile: settings.knownHostsFile,
    connectTimeoutMs: settings.connectTimeoutMs,
    sudo: host.sudo,
  });
}
