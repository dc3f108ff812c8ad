import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { killHostsSync, type HostRecord } from './host.js';
import { identify, isRunning } from './proc.js';
import { FLEET_ROOT, isClaimStale, listClaims, releaseSlot, type SlotClaim } from './slots.js';
import { removeHostCgroup, restoreInotifyLimit } from './systemd-support.js';

/** What a fleet dir records about its fleet, so another process can reap it when the owner died. */
export interface FleetRecord {
  name: string;
  claim: SlotClaim;
  systemd: boolean;
  hosts: HostRecord[];
}

const RECORD_FILE = 'fleet.json';

/** Writes (replaces) the fleet record in its dir. */
export function writeFleetRecord(record: FleetRecord): void {
  writeFileSync(join(record.claim.dir, RECORD_FILE), JSON.stringify(record, null, 1));
}

function readFleetRecord(dir: string): FleetRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, RECORD_FILE), 'utf8')) as FleetRecord;
  } catch {
    return undefined;
  }
}

/**
 * Kills a fleet's hosts synchronously (SIGKILL), removes their cgroups and the fleet dir.
 * Safe to call for an already half-removed fleet.
 */
export function destroyFleetSync(record: FleetRecord, dir: string = record.claim.dir): void {
  killHostsSync(record.hosts);
  for (const host of record.hosts) if (host.cgroup) removeHostCgroup(host.cgroup);
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * Kills and removes every fleet on this machine whose owner process is gone (a test
 * process that was killed or crashed), frees its slot, and puts the inotify limit back
 * when no systemd fleet remains. startFleet calls this first. A fleet dir is renamed
 * away before it is reaped, so two processes never reap the same fleet.
 */
export function reapStaleFleets(): void {
  const reaped: FleetRecord[] = [];
  for (const claim of listClaims()) {
    if (!isClaimStale(claim)) continue;
    if (existsSync(claim.dir)) reaped.push(...reapFleetDir(claim.dir));
    releaseSlot(claim);
  }
  const entries = fleetRootEntries();
  // Claims are read after the dirs: a claim is made before its dir, so a dir without a
  // record (being created right now) has its live claim in this list.
  const claimedDirs = new Set(listClaims().filter((c) => !isClaimStale(c)).map((c) => c.dir));
  for (const entry of entries) {
    const dir = join(FLEET_ROOT, entry);
    if (isAbandoned({ entry, dir, claimedDirs })) reaped.push(...reapFleetDir(dir));
  }
  if (reaped.some((r) => r.systemd) && !listLiveRecords().some((r) => r.systemd)) restoreInotifyLimit();
}

function isAbandoned(options: { entry: string; dir: string; claimedDirs: Set<string> }): boolean {
  const reaper = /^\.reaping-(\d+)-/.exec(options.entry);
  if (reaper) return !isRunning({ pid: Number(reaper[1]), start: readStart(options.dir) });
  const record = readFleetRecord(options.dir);
  return record ? !isRunning(record.claim.owner) : !options.claimedDirs.has(options.dir);
}

function fleetRootEntries(): string[] {
  try {
    return readdirSync(FLEET_ROOT).filter((e) => /^s\d+-/.test(e) || e.startsWith('.reaping-'));
  } catch {
    return [];
  }
}

/** The reaper's start time is kept in the renamed dir so a reused pid is not taken for it. */
function readStart(dir: string): string {
  try {
    return readFileSync(join(dir, '.reaper'), 'utf8');
  } catch {
    return '';
  }
}

/** Returns the reaped fleet's record (none when another process reaps it or it had none). */
function reapFleetDir(dir: string): FleetRecord[] {
  const aside = join(FLEET_ROOT, `.reaping-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    renameSync(dir, aside);
  } catch {
    return []; // another process is reaping it, or it is gone
  }
  try {
    writeFileSync(join(aside, '.reaper'), identify(process.pid)?.start ?? '');
  } catch {
    return []; // taken over by another reaper
  }
  const record = readFleetRecord(aside);
  if (!record) {
    rmSync(aside, { recursive: true, force: true, maxRetries: 3 });
    return [];
  }
  destroyFleetSync(record, aside);
  return [record];
}

/** Records of fleets whose owner process still runs. */
export function listLiveRecords(): FleetRecord[] {
  return listClaims()
    .filter((c) => !isClaimStale(c))
    .map((c) => readFleetRecord(c.dir))
    .filter((r): r is FleetRecord => r !== undefined);
}
