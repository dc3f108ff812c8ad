/**
 * Where a replica's shard comes from: `--shard INDEX/COUNT`, else the config's `shard`, else, in a
 * Kubernetes StatefulSet, the pod's ordinal (its hostname is `NAME-<ordinal>`) and the replica count
 * from the environment (DROVER_REPLICAS, set next to `replicas:` in the StatefulSet). Pure: the
 * environment and the hostname are arguments.
 */
import { DroverError } from '../../../manifests/errors.js';
import { parseShardText } from '../../config/shard.js';
import type { Shard } from './shard.js';

/** The environment variable holding the replica count in Kubernetes. */
export const REPLICAS_ENV = 'DROVER_REPLICAS';

/**
 * Parses `INDEX/COUNT` (0-based index < count). Throws DroverError E_SHARD_INVALID naming `origin`
 * (e.g. `--shard`) and how to fix the value.
 */
export function parseShard(text: string, origin: string): Shard {
  const parsed = parseShardText(text);
  if ('problem' in parsed) throw invalid(`${origin} ${parsed.problem}`);
  return parsed;
}

/**
 * The ordinal of a StatefulSet pod from its hostname `NAME-<ordinal>`; undefined when the name does
 * not end in `-<digits>`.
 */
export function podOrdinal(hostname: string): number | undefined {
  const match = /-(\d+)$/.exec(hostname.split('.')[0] ?? '');
  return match ? Number(match[1]) : undefined;
}

/** What resolveShard looks at. */
export interface ShardSources {
  /** `--shard` on the command line. */
  flag?: string;
  /** The config's `shard` (already validated). */
  configured?: Shard;
  env: Record<string, string | undefined>;
  /** This machine's hostname (the pod name in Kubernetes). */
  hostname: string;
}

/**
 * The shard this replica runs, or undefined (it owns every host). Throws E_SHARD_INVALID for a bad
 * flag, a bad DROVER_REPLICAS, or a hostname without an ordinal while DROVER_REPLICAS is set.
 */
export function resolveShard(sources: ShardSources): Shard | undefined {
  if (sources.flag !== undefined) return parseShard(sources.flag, '--shard');
  if (sources.configured) return sources.configured;
  const replicas = sources.env[REPLICAS_ENV];
  if (replicas === undefined || replicas === '') return undefined;
  if (!/^\d+$/.test(replicas.trim()) || Number(replicas) < 1) {
    throw invalid(`${REPLICAS_ENV}=${JSON.stringify(replicas)} is not a replica count; set it to the StatefulSet's replicas (a whole number >= 1)`);
  }
  const ordinal = podOrdinal(sources.hostname);
  if (ordinal === undefined) {
    throw invalid(`${REPLICAS_ENV} is set but the hostname ${JSON.stringify(sources.hostname)} has no pod ordinal (NAME-<n>); run in a StatefulSet, or pass --shard INDEX/COUNT`);
  }
  return parseShard(`${ordinal}/${Number(replicas)}`, `pod ${sources.hostname} with ${REPLICAS_ENV}=${replicas}:`);
}

function invalid(message: string): DroverError {
  return new DroverError('E_SHARD_INVALID', message);
}
