import { linkSync, mkdirSync, readFileSync, readdirSync, renameSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { FleetError } from './errors.js';
import { isRunning, listeningSockets, type ProcessIdentity } from './proc.js';

const TMPFS_MAGIC = 0x01021994;

/**
 * Host upper dirs get many small files; on this project's machines creating a file on
 * the disk costs ~0.6 ms against ~0.01 ms on tmpfs, which made 200 hosts start 3x
 * slower. So the fleet lives on /dev/shm when that is a tmpfs of 1 GiB or more (fixed
 * for the boot, so every process on the machine agrees), else on /tmp (a small /dev/shm,
 * as in a default Docker container, would fill up with packages installed on hosts).
 */
function chooseFleetRoot(): string {
  try {
    const shm = statfsSync('/dev/shm');
    if (shm.type === TMPFS_MAGIC && shm.blocks * shm.bsize >= 2 ** 30) return '/dev/shm/drover-fleet';
  } catch {
    // no /dev/shm
  }
  return '/tmp/drover-fleet';
}

/** Everything of every fleet on this machine lives below this dir (slots, fleet dirs). */
export const FLEET_ROOT = chooseFleetRoot();
const SLOTS_DIR = join(FLEET_ROOT, 'slots');

/**
 * Slot s owns the addresses 127.77.s.1-254 and the 127.0.0.1 ports 20000+256*s+1..254.
 * 48 slots keep every port below 32768, where Linux picks outgoing (ephemeral) ports.
 */
export const SLOT_COUNT = 48;
const PORT_BASE = 20000;

/** Who holds a slot; stored in the slot's claim file. */
export interface SlotClaim {
  slot: number;
  owner: ProcessIdentity;
  /** The fleet dir of the claiming fleet. */
  dir: string;
}

/** Address of host n (1-based) in a slot. */
export function hostAddress(slot: number, n: number): string {
  return `127.77.${slot}.${n}`;
}

/** The 127.0.0.1 port of host n (1-based) in a slot. */
export function hostLocalPort(slot: number, n: number): number {
  return PORT_BASE + slot * 256 + n;
}

/**
 * Claims the lowest free slot for `owner`. A claim is a file hard-linked into place, so
 * taking a slot is one atomic link(2) that fails when another process holds it. Slots
 * whose owner is gone are not taken over here: reapStaleFleets() frees them first.
 * A slot whose addresses or ports something already listens on is skipped.
 * Throws E_FLEET_NO_SLOT when all slots are held by live owners.
 */
export function claimSlot(options: { owner: ProcessIdentity; dirFor: (slot: number) => string }): SlotClaim {
  mkdirSync(SLOTS_DIR, { recursive: true });
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    const claim: SlotClaim = { slot, owner: options.owner, dir: options.dirFor(slot) };
    const draft = join(SLOTS_DIR, `.claim-${process.pid}-${randomBytes(4).toString('hex')}`);
    writeFileSync(draft, JSON.stringify(claim));
    try {
      linkSync(draft, slotPath(slot));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      continue;
    } finally {
      unlinkSync(draft);
    }
    if (!slotInUse(slot)) return claim;
    unlinkSync(slotPath(slot));
  }
  throw new FleetError('E_FLEET_NO_SLOT', `all ${SLOT_COUNT} fleet slots in ${SLOTS_DIR} are held by running processes`);
}

/** True when something (a service, a fleet of an older layout) already listens on the slot's addresses or ports. */
function slotInUse(slot: number): boolean {
  const first = hostLocalPort(slot, 0);
  for (const socket of listeningSockets()) {
    const [address = '', port = '0'] = socket.split(':');
    if (address.startsWith(`127.77.${slot}.`)) return true;
    if (Number(port) >= first && Number(port) < first + 256 && ['127.0.0.1', '0.0.0.0'].includes(address)) return true;
  }
  return false;
}

/** Every current claim (unreadable or half-written claims are skipped). */
export function listClaims(): SlotClaim[] {
  let names: string[];
  try {
    names = readdirSync(SLOTS_DIR);
  } catch {
    return [];
  }
  const claims: SlotClaim[] = [];
  for (const name of names.filter((n) => /^\d+$/.test(n))) {
    const claim = readClaim(join(SLOTS_DIR, name));
    if (claim) claims.push(claim);
  }
  return claims;
}

/**
 * Frees a slot if it still holds exactly `claim`. The claim is first renamed away (atomic),
 * so of two processes freeing the same dead slot only one removes it; a claim that was
 * renamed away by mistake (a new owner took the slot meanwhile) is linked back.
 */
export function releaseSlot(claim: SlotClaim): void {
  const aside = join(SLOTS_DIR, `.release-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    renameSync(slotPath(claim.slot), aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = readClaim(aside);
  if (moved && (moved.owner.pid !== claim.owner.pid || moved.owner.start !== claim.owner.start || moved.dir !== claim.dir)) {
    try {
      linkSync(aside, slotPath(claim.slot));
    } catch {
      // Someone claimed the slot again in between; the moved claim's owner keeps running
      // without a claim record, which at worst lets a later fleet collide and fail clearly.
    }
  }
  unlinkSync(aside);
}

/** True when the claim's owner process is gone (so its fleet may be reaped). */
export function isClaimStale(claim: SlotClaim): boolean {
  return !isRunning(claim.owner);
}

function slotPath(slot: number): string {
  return join(SLOTS_DIR, String(slot));
}

function readClaim(path: string): SlotClaim | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SlotClaim;
  } catch {
    return undefined;
  }
}
