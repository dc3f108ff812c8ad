/**
 * The fleet at the newest good revision: each host's desired state and its hash, for this replica's
 * shard only (rendezvous hashing, shard.ts), and which shard owns each other host. Replaced whole
 * when a new revision is accepted; runs read it when they start.
 */
import type { RepositoryPolicies } from '../../../manifests/policies.js';
import type { DesiredState } from '../../../manifests/types.js';
import { desiredHash } from './fingerprint.js';
import { inShard, ownerShard, type Shard } from './shard.js';

export { inShard, type Shard } from './shard.js';

/** The hosts of one accepted revision. */
export interface FleetRevision {
  revision: string;
  commit: string;
  hosts: ReadonlyMap<string, DesiredState>;
  hashes: ReadonlyMap<string, string>;
  /** Rollout policies and windows of the revision, and each group's hosts (waves by group). */
  policies?: RepositoryPolicies;
  members?: Readonly<Record<string, readonly string[]>>;
  /** This replica's shard (undefined: it owns every host). */
  shard?: Shard;
  /** Hosts of the revision that other shards own -> the owning shard's index. */
  others: ReadonlyMap<string, number>;
}

/** The FleetRevision of an accepted revision's hosts (those of `shard`). */
export function fleetRevision(options: {
  revision: string; commit: string; hosts: readonly DesiredState[]; shard?: Shard;
  policies?: RepositoryPolicies; members?: Readonly<Record<string, readonly string[]>>;
}): FleetRevision {
  const { shard } = options;
  const mine = options.hosts.filter((d) => inShard(d.host.name, shard));
  const others = shard && shard.count > 1 ? options.hosts.filter((d) => !inShard(d.host.name, shard)) : [];
  return {
    revision: options.revision, commit: options.commit,
    hosts: new Map(mine.map((d) => [d.host.name, d])),
    hashes: new Map(mine.map((d) => [d.host.name, desiredHash(d)])),
    ...(options.policies ? { policies: options.policies } : {}), ...(options.members ? { members: options.members } : {}),
    others: new Map(others.map((d) => [d.host.name, ownerShard(d.host.name, shard!.count)])),
    ...(shard ? { shard } : {}),
  };
}
