/**
 * Which replica reconciles a host: rendezvous (highest random weight) hashing. Every replica scores
 * each host with a stable hash of (shard index, host name) and the highest score owns it. All
 * replicas agree without talking to each other, and going from N to N+1 replicas moves only the
 * hosts the new shard now wins: about 1/(N+1) of them (modulo hashing would move about N/(N+1)).
 */
import { createHash } from 'node:crypto';
import { DroverError } from '../../../manifests/errors.js';

/** This replica's part of the fleet: shard `index` of `count` (0-based). */
export interface Shard {
  index: number;
  count: number;
}

/** The weight of `host` for shard `index`: the first 8 bytes of sha256("index\0host"), stable everywhere. */
export function shardWeight(host: string, index: number): bigint {
  return createHash('sha256').update(`${index}\0${host}`).digest().readBigUInt64BE(0);
}

/** The shard (0..count-1) that owns `host` among `count` shards: the highest weight wins (ties: the lowest index). */
export function ownerShard(host: string, count: number): number {
  let best = 0;
  let bestWeight = -1n;
  for (let index = 0; index < count; index++) {
    const weight = shardWeight(host, index);
    if (weight > bestWeight) {
      best = index;
      bestWeight = weight;
    }
  }
  return best;
}

/** True when `host` belongs to `shard` (always without one, or with a single shard). */
export function inShard(host: string, shard: Shard | undefined): boolean {
  if (!shard || shard.count <= 1) return true;
  return ownerShard(host, shard.count) === shard.index;
}

/** Thrown by the API for a host another replica owns: `owner` names that shard. */
export class HostOtherShardError extends DroverError {
  readonly owner: Shard;

  constructor(host: string, owner: Shard, self: Shard) {
    super('E_HOST_OTHER_SHARD', `${host} belongs to shard ${owner.index}/${owner.count}, not to this replica (shard ${self.index}/${self.count}); ask replica ${owner.index} (in Kubernetes: pod <name>-${owner.index})`, { host });
    this.name = 'HostOtherShardError';
    this.owner = owner;
  }
}
