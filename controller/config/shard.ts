/** The one parser of a shard written as `INDEX/COUNT` (config `shard`, `--shard`, a pod ordinal): pure. */

/** A replica's shard: 0 <= index < count. */
export interface ShardNumbers {
  index: number;
  count: number;
}

/** Parses `INDEX/COUNT`; the shard, or the problem (a phrase to follow the value's origin) and how to fix it. */
export function parseShardText(text: string): ShardNumbers | { problem: string } {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) return { problem: `${JSON.stringify(text)} is not INDEX/COUNT; write e.g. 0/3 (the first of 3 replicas)` };
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1) return { problem: `${text}: the count must be at least 1` };
  if (index >= count) return { problem: `${text}: shard index ${index} is out of range; with ${count} shards use 0..${count - 1}` };
  return { index, count };
}
