/**
 * Sharded replicas: three real `drover controller` processes (bin/drover.js) follow one Git remote
 * and split 30 fleet hosts by rendezvous hashing. Every host is reconciled by exactly one replica
 * (its state dir, its log, the file on the host). Then the replicas restart as 4 (three with their
 * state dirs, one new): only the hosts the new shard wins move (measured and printed), each live in
 * exactly one replica again. Last, a replica's API answers for its hosts and names the owner of others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadControllerConfig } from '../../../controller/config/index.js';
import { startController } from '../../../controller/daemon/controller.js';
import { createLogger } from '../../../controller/daemon/log.js';
import { ownerShard } from '../../../controller/daemon/revisions/shard.js';
import { movedHosts } from '../../support/shards.js';
import { resolveSshSettings } from '../../../controller/reconcile/ssh-settings.js';
import { startFleet, type Fleet } from '../../fleet/index.js';
import { createRemote, type GitRemote } from '../../support/git-remote.js';
import { poll } from '../../support/poll.js';
import {
  controllerConfig, hostFile, hostRecord, revisionOf, startControllerProcess, tempDir, waitForHost, type ControllerProcess,
} from '../controller/support.js';

const HOSTS = 30;
let fleet: Fleet;
let remote: GitRemote;
let dir: string;
let commit: string;
const running: ControllerProcess[] = [];
const names = Array.from({ length: HOSTS }, (_, i) => `node${String(i + 1).padStart(2, '0')}`);
const stateDir = (index: number): string => join(dir, `replica-${index}`, 'state');

beforeAll(async () => {
  fleet = await startFleet({ count: HOSTS, name: 'deploy-shards' });
  remote = await createRemote();
  dir = await tempDir();
  commit = await remote.commit(Object.fromEntries(names.map((n, i) => [`hosts/${n}.yaml`, hostFile(fleet.hosts[i]!, `managed for ${n}\n`)])), 'thirty hosts');
}, 180_000);

afterAll(async () => {
  await Promise.all(running.map((c) => c.stop()));
  await fleet?.stop();
  await remote?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Starts replica `index` of `count`: replica 0 through the config's `shard`, the others with `--shard`. */
async function startReplica(index: number, count: number): Promise<ControllerProcess> {
  const home = join(dir, `replica-${index}`);
  await mkdir(home, { recursive: true });
  const file = join(home, 'drover.config.yaml');
  const extra = index === 0 ? { shard: `0/${count}` } : {};
  await writeFile(file, controllerConfig({ remote, fleet, stateDir: stateDir(index), extra: { ...extra, concurrency: 8, metricsListen: '127.0.0.1:0' } }));
  const args = ['--config', file, ...(index === 0 ? [] : ['--shard', `${index}/${count}`])];
  const ctl = await startControllerProcess({ dir: home, args, stateDir: stateDir(index) });
  running.push(ctl);
  return ctl;
}

/** Hosts with a live (not removed) record in a replica's state dir. */
async function liveHosts(index: number): Promise<string[]> {
  const files = await readdir(join(stateDir(index), 'hosts')).catch(() => [] as string[]);
  const names = files.filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  const records = await Promise.all(names.map((n) => hostRecord(stateDir(index), n)));
  return records.filter((r) => r && r.removedAt === undefined).map((r) => r!.host).sort();
}

const owned = (index: number, count: number): string[] => names.filter((n) => ownerShard(n, count) === index);

describe('sharded controllers', () => {
  it('3 replicas on one remote: every host is reconciled by exactly one replica, the one that owns it', async () => {
    const replicas = await Promise.all([0, 1, 2].map((i) => startReplica(i, 3)));
    for (const [index, ctl] of replicas.entries()) {
      expect(owned(index, 3).length, `shard ${index} owns some hosts`).toBeGreaterThan(0);
      for (const name of owned(index, 3)) {
        await waitForHost(ctl, name, (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(commit), `synced by replica ${index}`);
      }
    }
    const live = await Promise.all([0, 1, 2].map(liveHosts));
    expect(live).toEqual([0, 1, 2].map((i) => owned(i, 3)));
    expect(live.flat().sort()).toEqual(names);
    // Each host ran only in its owner's log, and was applied exactly once. (A run may also end unreachable
    // and be retried there: 24 ssh handshakes at once can outlast the 3 s connect timeout on a busy machine.)
    const runs = replicas.flatMap((ctl, index) => ctl.events.filter((e) => e.phase === 'done').map((e) => ({ host: String(e.host), index, result: e.result })));
    for (const { host, index } of runs) expect(ownerShard(host, 3), `${host} ran in replica ${index}`).toBe(index);
    expect(runs.filter((r) => r.result === 'applied').map((r) => r.host).sort()).toEqual(names);
    // What each host wrote, from its upper layer: 30 ssh sessions took 35 s one by one (10 s at once) on a busy machine.
    const managed = await Promise.all(fleet.hosts.map((h) => readFile(join(h.rootDir, 'srv/ctl/managed.txt'), 'utf8')));
    expect(managed).toEqual(names.map((name) => `managed for ${name}\n`));
    // Each replica exports metrics for its own hosts only.
    for (const [index, ctl] of replicas.entries()) expect(await exportedHosts(ctl), `replica ${index}'s /metrics`).toEqual(owned(index, 3));
    await Promise.all(replicas.map((c) => c.stop()));
    running.length = 0;
  });

  it('3 -> 4 replicas: only the hosts the new shard wins move, and each host stays live in exactly one replica', async () => {
    const before = await Promise.all([0, 1, 2].map(liveHosts));
    const replicas = await Promise.all([0, 1, 2, 3].map((i) => startReplica(i, 4)));
    for (const name of owned(3, 4)) await waitForHost(replicas[3]!, name, (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(commit), 'taken over by replica 3');
    for (const index of [0, 1, 2]) {
      for (const name of names.filter((n) => ownerShard(n, 3) === index && ownerShard(n, 4) !== index)) {
        await waitForHost(replicas[index]!, name, (r) => r.removedAt !== undefined, `released by replica ${index}`);
      }
    }
    const after = await Promise.all([0, 1, 2, 3].map(liveHosts));
    expect(after.flat().sort()).toEqual(names);
    expect(after).toEqual([0, 1, 2, 3].map((i) => owned(i, 4)));
    const moved = names.filter((n) => !before.some((hosts, i) => hosts.includes(n) && after[i]!.includes(n)));
    // Each host moves with probability 1/4, so with 30 hosts the share is 25% +- 7.9% (one standard deviation).
    console.log(`3 -> 4 replicas: ${moved.length} of ${HOSTS} hosts moved (${(100 * moved.length / HOSTS).toFixed(1)}%; expected 25% +- 7.9% for ${HOSTS} hosts): ${moved.join(' ')}`);
    expect(moved).toEqual(movedHosts(names, 3, 4));
    // Modulo hashing would move about 3/4 of them; three standard deviations above 1/4 is below that.
    expect(moved.length / HOSTS).toBeLessThan(0.25 + 3 * 0.079);
    expect(moved).toEqual(after[3]);
    // The hosts that moved were found in sync by their new replica: nothing was changed on them.
    for (const name of moved) expect((await hostRecord(stateDir(3), name))!.history[0]?.result).toBe('in-sync');
    await Promise.all(replicas.map((c) => c.stop()));
    running.length = 0;
  });

  it("a replica's API answers for its hosts and names the shard that owns any other host", async () => {
    const index = 1;
    const settings = await loadControllerConfig({ cwd: join(dir, `replica-${index}`), env: {}, isRoot: false });
    settings.shard = { index, count: 4 };
    const ssh = resolveSshSettings({ env: {}, knownHosts: fleet.knownHostsFile, identities: [fleet.clientKeyFile], connectTimeoutSeconds: 3 });
    const controller = await startController({ settings, ssh, log: createLogger({ level: 'silent' }) });
    try {
      await poll('the in-process replica ready', () => controller.status().ready, { everyMs: 20 });
      expect(controller.hosts().map((h) => h.host)).toEqual(owned(index, 4));
      const mine = owned(index, 4)[0]!;
      expect(controller.host(mine)).toMatchObject({ host: mine, status: 'Synced' });
      const other = names.find((n) => ownerShard(n, 4) === 3)!;
      expect(() => controller.host(other)).toThrow(expect.objectContaining({
        code: 'E_HOST_OTHER_SHARD', owner: { index: 3, count: 4 },
        message: `${other} belongs to shard 3/4, not to this replica (shard 1/4); ask replica 3 (in Kubernetes: pod <name>-3)`,
      }));
      expect(() => controller.sync({ hosts: [mine, other] })).toThrow(expect.objectContaining({ code: 'E_HOST_OTHER_SHARD' }));
      expect(controller.host('nosuchhost')).toBeUndefined();
    } finally {
      await controller.stop();
    }
  });
});

/** The hosts a replica's /metrics has a drover_host_status series for (its metrics listener is logged). */
async function exportedHosts(ctl: ControllerProcess): Promise<string[]> {
  const listening = await ctl.waitForEvent((e) => e.msg === 'metrics listening', 'the metrics listener');
  const text = await (await fetch(`${String(listening.url)}`)).text();
  return [...new Set([...text.matchAll(/^drover_host_status\{[^}]*host="([^"]+)"/gm)].map((m) => m[1]!))].sort();
}

