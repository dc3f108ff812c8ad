import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FleetError } from './errors.js';
import { destroyFleetSync, listLiveRecords, reapStaleFleets, writeFleetRecord, type FleetRecord } from './cleanup.js';
import { guardFleet } from './exit-guard.js';
import { launchHost, stopHost, type LaunchedHost } from './host.js';
import { checkFleetPrerequisites } from './preflight.js';
import { identify } from './proc.js';
import { waitForBoot, waitForHosts } from './ready.js';
import { claimSlot, FLEET_ROOT, hostAddress, hostLocalPort, releaseSlot } from './slots.js';
import { generateKey, renderKnownHosts, renderSshConfig, type HostEndpoint, type KeyPair } from './ssh-files.js';
import { hostCgroup, raiseInotifyLimit, restoreInotifyLimit } from './systemd-support.js';
import type { Fleet, FleetHost, StartFleetOptions } from './types.js';

const MAX_HOSTS = 254;

function validate(options: StartFleetOptions): void {
  const { count, name, wrongHostKey = [] } = options;
  const problems: string[] = [];
  if (!Number.isInteger(count) || count < 1 || count > MAX_HOSTS) problems.push(`count must be 1..${MAX_HOSTS} (got ${count})`);
  if (name !== undefined && !/^[a-zA-Z0-9][a-zA-Z0-9-]{0,39}$/.test(name)) problems.push(`name "${name}" must be letters, digits and -`);
  for (const index of wrongHostKey) {
    if (!Number.isInteger(index) || index < 0 || index >= count) problems.push(`wrongHostKey index ${index} is not a host index`);
  }
  if (problems.length > 0) throw new FleetError('E_FLEET_OPTIONS', `startFleet: ${problems.join('; ')}`);
}

/**
 * Starts `count` isolated OpenSSH hosts on this machine (see /work/shared/FLEET.md) and
 * resolves once every host answers on both its endpoints (systemd hosts: once booted).
 * Reaps fleets of dead processes first. Throws E_FLEET_PREREQ when the machine lacks
 * something, E_FLEET_NO_SLOT when too many fleets run, E_FLEET_HOST_START (with the
 * host's output) when a host does not come up; nothing of the fleet is left behind then.
 */
export async function startFleet(options: StartFleetOptions): Promise<Fleet> {
  validate(options);
  const systemd = options.systemd ?? false;
  checkFleetPrerequisites({ systemd });
  reapStaleFleets();
  const owner = identify(process.pid);
  if (!owner) throw new FleetError('E_FLEET_INTERNAL', 'cannot read /proc/self/stat');
  const claim = claimSlot({ owner, dirFor: (slot) => join(FLEET_ROOT, `s${slot}-${options.name ?? `fleet${slot}`}`) });
  const record: FleetRecord = { name: options.name ?? `fleet${claim.slot}`, claim, systemd, hosts: [] };
  try {
    mkdirSync(claim.dir, { recursive: true });
    writeFleetRecord(record);
  } catch (error) {
    releaseSlot(claim);
    throw error;
  }
  const hosts: LaunchedHost[] = [];
  const unguard = guardFleet(() => destroyRecordSync(record));
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= stopFleet({ record, hosts, unguard }));
  try {
    return await bootFleet({ options, record, hosts, stop });
  } catch (error) {
    await stop();
    throw error;
  }
}

async function bootFleet(ctx: { options: StartFleetOptions; record: FleetRecord; hosts: LaunchedHost[]; stop: () => Promise<void> }): Promise<Fleet> {
  const { options, record } = ctx;
  const { dir, slot } = record.claim;
  const keyDir = join(dir, 'keys');
  mkdirSync(keyDir);
  const hostKey = generateKey({ dir: keyDir, name: 'host_ed25519', comment: `${record.name}-host` });
  const wrongKey = options.wrongHostKey?.length ? generateKey({ dir: keyDir, name: 'wrong_host_ed25519', comment: 'wrong' }) : undefined;
  const clientKey = generateKey({ dir: keyDir, name: 'client_ed25519', comment: `${record.name}-client` });
  const endpoints: HostEndpoint[] = Array.from({ length: options.count }, (_, i) => ({
    name: `host${i + 1}`,
    address: hostAddress(slot, i + 1),
    port: 22,
    localPort: hostLocalPort(slot, i + 1),
  }));
  const files = writeClientFiles({ dir, endpoints, hostKey, clientKey });
  if (record.systemd) raiseInotifyLimit();
  for (const [i, endpoint] of endpoints.entries()) {
    const key = wrongKey && options.wrongHostKey?.includes(i) ? wrongKey : hostKey;
    const cgroup = record.systemd ? hostCgroup({ slot, host: endpoint.name }) : undefined;
    const hostDir = join(dir, 'hosts', endpoint.name);
    ctx.hosts.push(launchHost({ endpoint, dir: hostDir, systemd: record.systemd, hostKey: key, clientPublicKey: clientKey.publicKey, ...(cgroup ? { cgroup } : {}) }));
    record.hosts.push(ctx.hosts[i]!.record);
  }
  writeFleetRecord(record);
  await waitForAll(ctx.hosts, { record, sshConfigFile: files.sshConfigFile, options });
  writeFleetRecord(record);
  const holdReboots = (hold: { host: string; hold: boolean }): void => holdHostReboots(ctx.hosts, hold);
  return { name: record.name, dir, hosts: ctx.hosts.map(toFleetHost), clientKeyFile: clientKey.privateKeyFile, ...files, holdReboots, stop: ctx.stop };
}

function writeClientFiles(options: { dir: string; endpoints: HostEndpoint[]; hostKey: KeyPair; clientKey: KeyPair }): { knownHostsFile: string; sshConfigFile: string } {
  const knownHostsFile = join(options.dir, 'known_hosts');
  const sshConfigFile = join(options.dir, 'ssh_config');
  writeFileSync(knownHostsFile, renderKnownHosts({ hosts: options.endpoints, publicKey: options.hostKey.publicKey }));
  writeFileSync(sshConfigFile, renderSshConfig({ hosts: options.endpoints, identityFile: options.clientKey.privateKeyFile, knownHostsFile }));
  return { knownHostsFile, sshConfigFile };
}

/** Waits for every host to listen and answer, then (systemd) to finish booting. */
async function waitForAll(hosts: LaunchedHost[], ctx: { record: FleetRecord; sshConfigFile: string; options: StartFleetOptions }): Promise<void> {
  const seconds = ctx.options.readyTimeoutSeconds ?? (ctx.record.systemd ? 90 : 30);
  const deadline = Date.now() + seconds * 1000;
  const wrong = new Set(ctx.options.wrongHostKey ?? []);
  await waitForHosts(hosts, { deadline });
  if (!ctx.record.systemd) return;
  // A host with the wrong key cannot be reached by ssh with StrictHostKeyChecking, by design.
  const booting = hosts.filter((_, i) => !wrong.has(i));
  const results = await Promise.allSettled(booting.map((host) => waitForBoot(host, { sshConfigFile: ctx.sshConfigFile, deadline })));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}

/** The file launch-host.sh waits on before it starts a rebooted host again. */
function holdHostReboots(hosts: LaunchedHost[], options: { host: string; hold: boolean }): void {
  const host = hosts.find((h) => h.endpoint.name === options.host);
  if (!host) throw new FleetError('E_FLEET_OPTIONS', `holdReboots: no host named ${options.host}`);
  const file = join(host.record.dir, 'hold-reboot');
  if (options.hold) writeFileSync(file, '');
  else rmSync(file, { force: true });
}

function toFleetHost(host: LaunchedHost): FleetHost {
  const { endpoint, record } = host;
  return {
    name: endpoint.name,
    address: endpoint.address,
    port: endpoint.port,
    localPort: endpoint.localPort,
    rootDir: join(record.dir, 'upper'),
    systemd: host.systemd,
    pid: record.init?.pid ?? 0,
  };
}

async function stopFleet(ctx: { record: FleetRecord; hosts: LaunchedHost[]; unguard: () => void }): Promise<void> {
  await Promise.all(ctx.hosts.map((host) => stopHost(host)));
  destroyRecordSync(ctx.record);
  ctx.unguard();
}

/** Kills what is left (normally nothing), removes cgroups, dir and slot, and the inotify raise when last. */
function destroyRecordSync(record: FleetRecord): void {
  destroyFleetSync(record);
  releaseSlot(record.claim);
  if (record.systemd && !listLiveRecords().some((r) => r.systemd)) restoreInotifyLimit();
}
