/**
 * A run's session: the repository loaded and validated, the hosts chosen, SSH settings resolved, and one
 * TransportPool that keeps each host's connection warm across the run's phases (plan, confirm, apply).
 * The CLI opens one per command; the daemon keeps a pool for its lifetime (createHostPool).
 */
import { DroverError } from '../../manifests/errors.js';
import { loadValidRepository } from '../../manifests/index.js';
import type { RepositoryPolicies } from '../../manifests/policies.js';
import type { DesiredState, HostInfo, RepositorySettings } from '../../manifests/types.js';
import { TransportPool } from '../transport/pool.js';
import type { Transport } from '../transport/types.js';
import { connectHost } from './connect.js';
import type { SshSettings } from './ssh-settings.js';

/** Options of openSession. */
export interface SessionOptions {
  /** The manifest repository directory. */
  root: string;
  ssh: SshSettings;
  /** Chooses the hosts to work on (default: all); may throw a usage error. */
  select?: (hosts: DesiredState[]) => DesiredState[];
  /** Hosts worked on at once (default: settings.concurrency of drover.yaml). */
  concurrency?: number;
}

/** What a session holds. Close it when done: it owns the hosts' connections. */
export interface Session {
  hosts: DesiredState[];
  settings: RepositorySettings;
  concurrency: number;
  /** Rollout policies and windows, and each group's hosts (for waves: `drover reconcile` follows them too). */
  policies: RepositoryPolicies;
  members: Record<string, string[]>;
  /** The host's transport: connects on first use, then reuses the connection. */
  transportFor(host: DesiredState): Promise<Transport>;
  /** A NEW connection to the host, not pooled (the lockout guard confirms applies through it); the caller closes it. */
  connectFresh(host: DesiredState): Promise<Transport>;
  /** Closes every connection the session opened. */
  close(): Promise<void>;
}

/**
 * Loads and validates the repository, selects hosts and prepares their connections (none is opened
 * yet). Throws ManifestInvalidError for an invalid repository and whatever `select` throws; touches no host.
 */
export async function openSession(options: SessionOptions): Promise<Session> {
  const loaded = await loadValidRepository(options.root);
  const hosts = options.select ? options.select(loaded.hosts) : loaded.hosts;
  const byName = new Map(hosts.map((h) => [h.host.name, h.host]));
  const pool = createHostPool({ ssh: options.ssh, lookup: (name) => byName.get(name) });
  const fresh = freshConnector({ ssh: options.ssh, lookup: (name) => byName.get(name) });
  return {
    hosts, settings: loaded.settings, policies: loaded.policies, members: loaded.members, concurrency: options.concurrency ?? loaded.settings.concurrency,
    transportFor: (host) => pool.get(host.host.name),
    connectFresh: (host) => fresh(host.host.name),
    close: () => pool.closeAll(),
  };
}

/** Options of createHostPool. */
export interface HostPoolOptions {
  ssh: SshSettings;
  /** The inventory host of a name, or undefined when the name left the inventory. */
  lookup: (name: string) => HostInfo | undefined;
  /** Called after each connect with the time it took (metrics); `now` is the clock in ms (default performance.now). */
  onConnected?: (host: string, ms: number) => void;
  now?: () => number;
  /** Opens a host's transport (default connectHost: SSH, or the local transport for `localhost`). */
  connect?: (host: HostInfo, ssh: SshSettings) => Promise<Transport>;
}

/**
 * A TransportPool over inventory hosts (the CLI's session, the daemon's warm connections): `get(name)`
 * connects with `ssh` (strict host key checking) on first use and reuses the connection after. A name
 * `lookup` does not know rejects with E_HOST_UNKNOWN (stalled).
 */
export function createHostPool(options: HostPoolOptions): TransportPool {
  return new TransportPool({ connect: freshConnector(options) });
}

/**
 * Opens a NEW transport to an inventory host by name, outside any pool, as createHostPool's pool does
 * (same lookup, connect and onConnected): the lockout guard confirms an apply through it, so it must
 * authenticate afresh. The caller closes it. A name `lookup` does not know rejects with E_HOST_UNKNOWN.
 */
export function freshConnector(options: HostPoolOptions): (name: string) => Promise<Transport> {
  const now = options.now ?? (() => performance.now());
  return async (name) => {
    const host = options.lookup(name);
    if (host === undefined) throw new DroverError('E_HOST_UNKNOWN', `${name} is not in the inventory`);
    const started = now();
    const transport = await (options.connect ?? connectHost)(host, options.ssh);
    options.onConnected?.(name, now() - started);
    return transport;
  };
}
