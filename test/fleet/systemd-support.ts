import { readFileSync, readdirSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLEET_ROOT } from './slots.js';

/** The cgroup hierarchies a systemd host gets a cgroup in (cgroup v1 hybrid layout). */
const HIERARCHIES = ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified'];
const CGROUP_BASE = 'drover-fleet';
const INOTIFY_SYSCTL = '/proc/sys/fs/inotify/max_user_instances';
const INOTIFY_SAVED = join(FLEET_ROOT, 'inotify-max-user-instances.orig');
/** Each systemd host takes a few inotify instances; 128 (the default) runs out near 20 hosts. */
const INOTIFY_WANTED = 8192;

/** The relative cgroup path of a systemd host (created by launch-host.sh). */
export function hostCgroup(options: { slot: number; host: string }): string {
  return `${CGROUP_BASE}/s${options.slot}/${options.host}`;
}

/**
 * Removes a host's cgroup and everything systemd left below it, in both hierarchies,
 * then the slot's and the fleet base cgroup when empty. Call only once the host's processes are
 * gone; a cgroup that still has processes stays (rmdir fails with EBUSY) and is ignored.
 */
export function removeHostCgroup(cgroup: string): void {
  for (const root of HIERARCHIES) {
    removeTree(join(root, cgroup));
    tryRmdir(join(root, cgroup, '..'));
    tryRmdir(join(root, CGROUP_BASE));
  }
}

function removeTree(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return;
  }
  for (const entry of entries) removeTree(join(dir, entry));
  tryRmdir(dir);
}

function tryRmdir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty or still in use: left for the next reap.
  }
}

/**
 * Raises fs.inotify.max_user_instances for systemd hosts. The first raiser saves the
 * original value (exclusive create), so concurrent fleets restore the true original.
 */
export function raiseInotifyLimit(): void {
  const current = Number(readFileSync(INOTIFY_SYSCTL, 'utf8').trim());
  try {
    writeFileSync(INOTIFY_SAVED, String(current), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (current < INOTIFY_WANTED) writeFileSync(INOTIFY_SYSCTL, String(INOTIFY_WANTED));
}

/** Puts the saved fs.inotify.max_user_instances back; the caller ensures no systemd fleet still runs. */
export function restoreInotifyLimit(): void {
  let saved: string;
  try {
    saved = readFileSync(INOTIFY_SAVED, 'utf8').trim();
  } catch {
    return;
  }
  writeFileSync(INOTIFY_SYSCTL, saved);
  unlinkSync(INOTIFY_SAVED);
}
