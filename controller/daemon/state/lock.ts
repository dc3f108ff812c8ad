/**
 * One controller per state dir: `<stateDir>/controller.lock` names its holder (pid, host, start, API
 * address). It is created with O_EXCL, so of two controllers starting together one wins; the other
 * refuses to start naming the holder. A holder that died without releasing it (SIGKILL, a crash, a
 * rebooted pod) does not leave it stuck: on the same machine its pid is gone or belongs to a process
 * started at another time; from another machine (a shared volume) its heartbeat stops and the lock
 * goes stale after STALE_MS.
 */
import { readFileSync } from 'node:fs';
import { open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { DroverError } from '../../../manifests/errors.js';

/** Who holds the lock. */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** The process's start (field 22 of /proc/<pid>/stat): a reused pid is not the holder. */
  processStart?: string;
  startedAt: number;
  /** The API's address, once it listens. */
  address?: string;
}

/** A held lock. */
export interface StateLock {
  /** Records the API's address in the lock (for the message a second controller prints). */
  noteAddress(address: string): Promise<void>;
  /** Removes the lock (only if it is still this process's); idempotent. */
  release(): Promise<void>;
}

const HEARTBEAT_MS = 10_000;
const STALE_MS = 60_000;

/**
 * Takes the state dir's lock for this process, taking over one its holder left behind. Throws
 * E_STATE_LOCKED naming a live holder.
 */
export async function acquireStateLock(stateDir: string, now: () => number = Date.now): Promise<StateLock> {
  const file = join(stateDir, 'controller.lock');
  const me: LockHolder = { pid: process.pid, hostname: osHostname(), startedAt: now(), ...startOf(process.pid) };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await create(file, me)) return held(file, me);
    const holder = await readHolder(file);
    if (holder && !(await isStale(file, holder, now))) {
      const where = holder.address ? `, API ${holder.address}` : '';
      throw new DroverError('E_STATE_LOCKED', `${stateDir} is in use by another drover controller (pid ${holder.pid} on ${holder.hostname}${where}, since ${new Date(holder.startedAt).toISOString()}); stop it, or give this one another stateDir`);
    }
    // Left behind: move it aside (one of several contenders succeeds), then try to create ours again.
    await rename(file, `${file}.stale-${process.pid}`).then(() => unlink(`${file}.stale-${process.pid}`), () => undefined);
  }
  throw new DroverError('E_STATE_LOCKED', `${stateDir}: could not take controller.lock (another controller is starting at the same time)`);
}

async function create(file: string, me: LockHolder): Promise<boolean> {
  try {
    const handle = await open(file, 'wx', 0o600);
    await handle.writeFile(`${JSON.stringify(me)}\n`);
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function held(file: string, me: LockHolder): StateLock {
  let released = false;
  // Keeps the file's mtime fresh, so a controller on another machine sharing the volume sees it alive.
  const heartbeat = setInterval(() => void utimes(file, new Date(), new Date()).catch(() => undefined), HEARTBEAT_MS);
  heartbeat.unref();
  const ours = async (): Promise<boolean> => {
    const holder = await readHolder(file);
    return holder?.pid === me.pid && holder.hostname === me.hostname && holder.startedAt === me.startedAt;
  };
  return {
    async noteAddress(address) {
      if (released || !(await ours())) return;
      me.address = address;
      const temp = `${file}.${process.pid}.tmp`;
      const handle = await open(temp, 'w', 0o600);
      await handle.writeFile(`${JSON.stringify(me)}\n`);
      await handle.close();
      await rename(temp, file);
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      if (await ours()) await unlink(file).catch(() => undefined);
    },
  };
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<LockHolder>;
    return typeof parsed.pid === 'number' && typeof parsed.hostname === 'string' ? (parsed as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

/** A holder is gone when its process is (this machine), or its heartbeat stopped (another machine). */
async function isStale(file: string, holder: LockHolder, now: () => number): Promise<boolean> {
  if (holder.hostname === osHostname()) {
    const start = startOf(holder.pid).processStart;
    return start === undefined || (holder.processStart !== undefined && start !== holder.processStart);
  }
  const modified = await stat(file).then((s) => s.mtimeMs, () => 0);
  return now() - modified > STALE_MS;
}

/** `{processStart}` of a live pid, `{}` when there is no such process (or /proc cannot tell). */
function startOf(pid: number): { processStart?: string } {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return {};
    return fields[19] === undefined ? {} : { processStart: fields[19] };
  } catch {
    return {};
  }
}
