import { ownerShard } from '../../controller/daemon/revisions/shard.js';

/** The hosts that move to another shard when the replica count changes from `before` to `after` (what the tests predict). */
export function movedHosts(hosts: readonly string[], before: number, after: number): string[] {
  return hosts.filter((h) => ownerShard(h, before) !== ownerShard(h, after));
}
