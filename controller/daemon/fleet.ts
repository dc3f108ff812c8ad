/**
 * The fleet at the newest good revision: each host's desired state and its hash, for this replica's
 * shard only. Replaced whole when a new revision is accepted; runs read it when they start.
 */
import { createHash } from 'node:crypto';
import type { DesiredState } from '../../manifests/types.js';
import { desiredHash } from './fingerprint.js';

/** The hosts of one accepted revision. */
export interface FleetRevision {
  revision: string;
  commit: string;
  hosts: ReadonlyMap<string, DesiredState>;
  hashes: ReadonlyMap<string, string>;
}

/** This replica's part of the fleet: `INDEX/COUNT` by a stable hash of the host name. */
export interface Shard {
  index: number;
  count: number;
}

/** True when `host` belongs to `shard` (always without one). Stable across restarts and replicas. */
export function inShard(host: string, shard: Shard | undefined): boolean {
  if (!shard || shard.count <= 1) return true;
  return createHash('sha256').update(host).digest().readUInt32BE(0) % shard.count === shard.index;
}

/** The FleetRevision of an accepted revision's hosts (those of `shard`). */
export function fleetRevision(options: { revision: string; commit: string; hosts: readonly DesiredState[]; shard?: Shard }): FleetRevision {
  const mine = options.hosts.filter((d) => inShard(d.host.name, options.shard));
  return {
    revision: options.revision, commit: options.commit,
    hosts: new Map(mine.map((d) => [d.host.name, d])),
    hashes: new Map(mine.map((d) => [d.host.name, desiredHash(d)])),
  };
}
