/**
 * The fleet of an integration test file, set up and torn down in one line:
 *
 *   const host = useFleetHost({ name: 'apply-cut' });   // one host; host.ssh: root on it over ssh
 *   const env = useFleet({ count: 3, name: 'transport-conn' });
 *
 * Each registers a beforeAll that starts the fleet (startFleet, test/fleet) and an afterAll that closes
 * every connection it opened and stops the fleet. Call it at the top of a file, or of a describe for a
 * fleet of that describe; a test file's own beforeAll registered after it runs after it (and its own
 * afterAll before it). The accessors work once its beforeAll has run.
 */
import { afterAll, beforeAll } from 'vitest';
import { connectSsh, type SshOptions } from '../../controller/transport/ssh.js';
import type { Transport } from '../../controller/transport/types.js';
import { startFleet, type Fleet, type StartFleetOptions } from '../fleet/index.js';
import { fleetSshOptions } from './ssh.js';

/** What useFleet sets up. */
export interface FleetEnv {
  readonly fleet: Fleet;
  /** SshOptions for root on `fleet.hosts[index]` (fleetSshOptions), with `overrides`. */
  sshOptions(index?: number, overrides?: Partial<SshOptions>): SshOptions;
  /** Connects to `fleet.hosts[index]` (root over ssh unless `overrides` say otherwise); afterAll closes it. */
  connect(index?: number, overrides?: Partial<SshOptions>): Promise<Transport>;
}

/** What useFleetHost sets up: a fleet and a connection to its first host. */
export interface FleetHostEnv extends FleetEnv {
  /** Root on the first host over ssh, connected in beforeAll. */
  readonly ssh: Transport;
}

/** Registers the beforeAll and afterAll of a file (or describe) that runs against a fleet started with `options`. */
export function useFleet(options: StartFleetOptions): FleetEnv {
  let fleet: Fleet | undefined;
  const connections: Transport[] = [];
  beforeAll(async () => {
    fleet = await startFleet(options);
  });
  afterAll(async () => {
    await Promise.all(connections.map((t) => t.close()));
    await fleet?.stop();
  });
  const env: FleetEnv = {
    get fleet() {
      if (!fleet) throw new Error(`useFleet(${options.name ?? ''}): used before its beforeAll has run`);
      return fleet;
    },
    sshOptions(index = 0, overrides = {}) {
      const host = env.fleet.hosts[index];
      if (!host) throw new Error(`fleet ${env.fleet.name} has no host ${index}`);
      return fleetSshOptions(env.fleet, host, overrides);
    },
    async connect(index = 0, overrides = {}) {
      const transport = await connectSsh(env.sshOptions(index, overrides));
      connections.push(transport);
      return transport;
    },
  };
  return env;
}

/** useFleet with one host (unless `count` says otherwise) and `ssh`, a connection to the first one. */
export function useFleetHost(options: Omit<StartFleetOptions, 'count'> & { count?: number }): FleetHostEnv {
  const env = useFleet({ count: 1, ...options });
  let ssh: Transport | undefined;
  beforeAll(async () => {
    ssh = await env.connect(0);
  });
  return {
    get fleet() { return env.fleet; },
    sshOptions: env.sshOptions,
    connect: env.connect,
    get ssh() {
      if (!ssh) throw new Error(`useFleetHost(${options.name ?? ''}): used before its beforeAll has run`);
      return ssh;
    },
  };
}
