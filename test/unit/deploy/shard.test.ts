/**
 * Rendezvous sharding (controller/daemon/revisions/shard.ts) and where a replica's shard comes from
 * (shard-spec.ts), on fixtures: 1,000 realistic host names and golden weights computed with
 * coreutils' sha256sum (the assignment must never change between versions).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fleetRevision } from '../../../controller/daemon/revisions/fleet.js';
import { inShard, ownerShard, shardWeight } from '../../../controller/daemon/revisions/shard.js';
import { movedHosts } from '../../support/shards.js';
import { parseShard, podOrdinal, resolveShard } from '../../../controller/daemon/revisions/shard-spec.js';
import { desiredState } from '../../support/desired.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/deploy/${name}`, import.meta.url), 'utf8');
const hosts = fixture('hosts-1000.txt').split('\n').filter(Boolean);
const golden = JSON.parse(fixture('shard-owners.json')) as { weights: Record<string, string[]>; owners: Record<string, number[]> };

const countsOf = (count: number): number[] => {
  const counts = new Array<number>(count).fill(0);
  for (const h of hosts) counts[ownerShard(h, count)]!++;
  return counts;
};

describe('rendezvous hashing', () => {
  it('weights are sha256("INDEX\\0HOST") as computed by sha256sum, and owners match the golden table', () => {
    for (const [host, weights] of Object.entries(golden.weights)) {
      expect(weights.map((_, i) => shardWeight(host, i).toString(16).padStart(16, '0'))).toEqual(weights);
    }
    for (const [host, owners] of Object.entries(golden.owners)) {
      expect(owners.map((_, i) => ownerShard(host, i + 1)), host).toEqual(owners);
    }
  });

  it('puts each of 1,000 hosts in exactly one of 3 shards, balanced within 10% of a third', () => {
    expect(hosts).toHaveLength(1000);
    const members = [0, 1, 2].map((index) => hosts.filter((h) => inShard(h, { index, count: 3 })));
    expect(members.flat().sort()).toEqual([...hosts].sort());
    for (const m of members) expect(Math.abs(m.length - 1000 / 3)).toBeLessThan(1000 / 3 * 0.1);
    for (const count of [2, 4, 5, 8]) {
      const counts = countsOf(count);
      for (const n of counts) expect(Math.abs(n - 1000 / count), `${count} shards: ${counts.join(',')}`).toBeLessThan(1000 / count * 0.15);
    }
  });

  it('3 -> 4 replicas moves close to a quarter of the hosts, all of them to the new shard; 4 -> 3 moves them back', () => {
    const moved = movedHosts(hosts, 3, 4);
    const share = moved.length / hosts.length;
    console.log(`rendezvous 3->4: ${moved.length}/${hosts.length} hosts moved (${(share * 100).toFixed(1)}%; ideal 25%)`);
    expect(share).toBeGreaterThan(0.21);
    expect(share).toBeLessThan(0.29);
    expect(new Set(moved.map((h) => ownerShard(h, 4)))).toEqual(new Set([3]));
    expect(movedHosts(hosts, 4, 3).sort()).toEqual([...moved].sort());
    // What modulo hashing (the earlier `hash % count`) would have moved, for contrast: about 3/4.
    const modulo = (h: string, n: number): number => Number(shardWeight(h, 0) % BigInt(n));
    expect(hosts.filter((h) => modulo(h, 3) !== modulo(h, 4)).length / hosts.length).toBeGreaterThan(0.6);
  });

  it('without a shard, or with one shard, a replica owns every host', () => {
    expect(hosts.every((h) => inShard(h, undefined) && inShard(h, { index: 0, count: 1 }))).toBe(true);
  });

  it('a sharded FleetRevision keeps only its hosts and names the owner of every other host', () => {
    const names = ['web1', 'web2', 'db1', 'host-17', 'web01.ams.example.net', 'cache25.sin.example.net'];
    const fleet = fleetRevision({ revision: 'main@sha1:x', commit: 'x', hosts: names.map((n) => desiredState(n, [])), shard: { index: 1, count: 3 } });
    expect([...fleet.hosts.keys()].sort()).toEqual(['cache25.sin.example.net', 'web01.ams.example.net']);
    expect(Object.fromEntries(fleet.others)).toEqual({ web1: 0, web2: 0, db1: 2, 'host-17': 2 });
    expect(fleet.hashes.size).toBe(2);
    const whole = fleetRevision({ revision: 'main@sha1:x', commit: 'x', hosts: names.map((n) => desiredState(n, [])) });
    expect(whole.hosts.size).toBe(6);
    expect(whole.others.size).toBe(0);
  });
});

describe('the shard of a replica', () => {
  const env = (replicas?: string): Record<string, string | undefined> => (replicas === undefined ? {} : { DROVER_REPLICAS: replicas });
  it.each([
    ['--shard wins over the config and the environment', { flag: '2/5', configured: { index: 0, count: 3 }, env: env('4'), hostname: 'drover-1' }, { index: 2, count: 5 }],
    ['the config, when no flag', { configured: { index: 0, count: 3 }, env: env('4'), hostname: 'drover-1' }, { index: 0, count: 3 }],
    ['a StatefulSet pod: ordinal of the hostname, count from DROVER_REPLICAS', { env: env('4'), hostname: 'drover-3' }, { index: 3, count: 4 }],
    ['a pod FQDN', { env: env('2'), hostname: 'drover-1.drover-headless.drover.svc.cluster.local' }, { index: 1, count: 2 }],
    ['nothing set: every host', { env: env(), hostname: 'ctl-7' }, undefined],
  ])('%s', (_what, sources, expected) => {
    expect(resolveShard(sources)).toEqual(expected);
  });

  it.each([
    [{ flag: '3/3', env: env(), hostname: 'h' }, '--shard 3/3: shard index 3 is out of range; with 3 shards use 0..2'],
    [{ flag: 'one/3', env: env(), hostname: 'h' }, '--shard "one/3" is not INDEX/COUNT; write e.g. 0/3 (the first of 3 replicas)'],
    [{ flag: '0/0', env: env(), hostname: 'h' }, '--shard 0/0: the count must be at least 1'],
    [{ env: env('three'), hostname: 'drover-0' }, 'DROVER_REPLICAS="three" is not a replica count; set it to the StatefulSet\'s replicas (a whole number >= 1)'],
    [{ env: env('3'), hostname: 'controller' }, 'DROVER_REPLICAS is set but the hostname "controller" has no pod ordinal (NAME-<n>); run in a StatefulSet, or pass --shard INDEX/COUNT'],
    [{ env: env('3'), hostname: 'drover-3' }, 'pod drover-3 with DROVER_REPLICAS=3: 3/3: shard index 3 is out of range; with 3 shards use 0..2'],
  ])('refuses %j with a message saying how to fix it', (sources, message) => {
    expect(() => resolveShard(sources)).toThrow(expect.objectContaining({ code: 'E_SHARD_INVALID', message }));
  });

  it('parses INDEX/COUNT and pod ordinals', () => {
    expect(parseShard(' 0 / 1 ', 'x')).toEqual({ index: 0, count: 1 });
    expect(podOrdinal('drover-12')).toBe(12);
    expect(podOrdinal('my-drover-0.svc')).toBe(0);
    expect(podOrdinal('drover')).toBeUndefined();
  });
});
