/**
 * The daemon's durable state, in `<stateDir>`:
 * - `controller.json`: the source (newest and last good revision, rejected revision, fetch times/errors);
 * - `hosts/<name>.json`: one HostRecord per host (status, revisions, last plan and error, history).
 * Every write replaces the whole file atomically (source/atomic-file.ts), so a crash leaves each file
 * old or new, never torn. Everything is loaded at start and served from memory; writes go through to
 * disk.
 *
 * JSON files rather than SQLite (better-sqlite3): no native module to build or ship (13.x does not even
 * run on Node 20), one small file per host written only when that host changes (no write amplification
 * across the fleet, no WAL to checkpoint), and an operator can read or repair the state with `cat`/`jq`.
 * What SQLite would add, transactions across hosts, is not needed: no write spans two hosts.
 */
import { chmod, mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DroverError } from '../../../manifests/errors.js';
import { removeFileDurably, TEMP_FILE, writeFileAtomic } from '../../source/atomic-file.js';
import { newControllerRecord, HISTORY_LIMIT, type ControllerRecord, type HostRecord } from './records.js';
import { parseControllerRecord, parseHostRecord } from './state-parse.js';

/** Same rule as the inventory's host names (manifests/inventory.ts), so a name is always a safe file name. */
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Everything read from a state directory. */
export interface LoadedState {
  controller: ControllerRecord;
  hosts: Map<string, HostRecord>;
  /** Leftover temp files of interrupted writes (paths); their target files are intact. */
  strayTempFiles: string[];
  /** Other entries of `hosts/` that are not `<host name>.json` (paths), ignored. */
  ignoredFiles: string[];
}

/**
 * Reads a state directory without changing it (for `drover hosts` next to a running controller).
 * A missing directory reads as empty. Throws E_STATE_CORRUPT naming the first damaged file.
 */
export async function loadState(stateDir: string): Promise<LoadedState> {
  const controllerFile = join(stateDir, 'controller.json');
  const controllerText = await readOptional(controllerFile);
  const loaded: LoadedState = {
    controller: controllerText === undefined ? newControllerRecord() : parseControllerRecord(controllerText, controllerFile),
    hosts: new Map(), strayTempFiles: [], ignoredFiles: [],
  };
  for (const entry of await listOptional(stateDir)) {
    if (TEMP_FILE.test(entry)) loaded.strayTempFiles.push(join(stateDir, entry));
  }
  const hostsDir = join(stateDir, 'hosts');
  for (const entry of (await listOptional(hostsDir)).sort()) {
    const path = join(hostsDir, entry);
    const name = entry.endsWith('.json') ? entry.slice(0, -'.json'.length) : '';
    if (TEMP_FILE.test(entry)) loaded.strayTempFiles.push(path);
    else if (!HOST_NAME.test(name)) loaded.ignoredFiles.push(path);
    else loaded.hosts.set(name, parseHostRecord(await readFile(path, 'utf8'), path, name));
  }
  return loaded;
}

/**
 * Opens the store the daemon writes: creates the directories, loads everything (see loadState) and
 * deletes the stray temp files it reports. Throws E_STATE_CORRUPT (the daemon must not start over a
 * damaged state) or the fs error when the directory cannot be created.
 */
export async function openStateStore(stateDir: string, options: { now?: () => number } = {}): Promise<{ store: StateStore; loaded: LoadedState }> {
  // Only the controller's user reads its state, whatever the umask: records quote what hosts printed.
  for (const dir of [stateDir, join(stateDir, 'hosts')]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
  }
  const loaded = await loadState(stateDir);
  for (const path of loaded.strayTempFiles) await removeFileDurably(path);
  return { store: new StateStore(stateDir, loaded, options), loaded };
}

/** Throws E_STATE_HOST_NAME unless `name` can be a host record's file name. */
export function assertHostName(name: string): void {
  if (!HOST_NAME.test(name)) {
    throw new DroverError('E_STATE_HOST_NAME', `"${name}" cannot name a host record: host names are letters, digits, "-" and "."`);
  }
}

/** Whether the state can be written: `failing` is set from a failed write until a write succeeds again. */
export interface WriteHealth {
  failing?: { since: number; file: string; message: string };
  failures: number;
}

/**
 * The state in memory, written through to disk. Reads return copies. A host's record has one writer:
 * the store. Callers change it with updateHost(name, change), where `change` gets the newest record
 * (never a copy taken before an await) and returns the next one; memory changes at once, the disk when
 * `written` resolves. Writes of one file happen in call order and each writes the whole newest record,
 * so after a failed write (E_STATE_WRITE, transient, naming the file) the next one catches up.
 */
export class StateStore {
  private controllerRecord: ControllerRecord;
  private readonly records: Map<string, HostRecord>;
  private readonly writes = new Map<string, Promise<void>>();
  private readonly health: WriteHealth = { failures: 0 };
  private readonly now: () => number;

  constructor(readonly dir: string, loaded: Pick<LoadedState, 'controller' | 'hosts'>, options: { now?: () => number } = {}) {
    this.controllerRecord = frozenCopy(loaded.controller);
    this.records = new Map([...loaded.hosts].map(([name, record]) => [name, frozenCopy(record)]));
    this.now = options.now ?? Date.now;
  }

  /** Whether writes are failing now (readiness, metrics), and how many have failed since the start. */
  writeHealth(): WriteHealth {
    return structuredClone(this.health);
  }

  // Readers get the stored records themselves, deeply frozen: every API request and queue turn reads
  // them, and copying each one per read (structuredClone) was most of what GET /api/v1/hosts cost.
  // Change a record with updateHost or saveController, which store a frozen copy of the new one.

  /** The source's record (frozen). */
  controller(): Readonly<ControllerRecord> {
    return this.controllerRecord;
  }

  /** One host's record, removed or not (frozen); undefined when there is none. */
  host(name: string): Readonly<HostRecord> | undefined {
    return this.records.get(name);
  }

  /**
   * One host's record with only its newest run left in `history` (frozen), or undefined: what status
   * derivation and the API's host list need.
   */
  latestHost(name: string): Readonly<HostRecord> | undefined {
    const record = this.records.get(name);
    return record && (record.history.length <= 1 ? record : Object.freeze({ ...record, history: record.history.slice(0, 1) }));
  }

  /** Every host record (removed ones too, frozen), sorted by name. */
  hosts(): Readonly<HostRecord>[] {
    return [...this.records.keys()].sort().map((name) => this.records.get(name) as HostRecord);
  }

  /** Stores the source's record. */
  saveController(record: ControllerRecord): Promise<void> {
    this.controllerRecord = frozenCopy(record);
    return this.write(join(this.dir, 'controller.json'), record);
  }

  /**
   * Changes a host's record: `change` gets a copy of the newest one (`fresh(name)` when there is none) and
   * returns the next one, or undefined to leave it. Memory holds a copy of the result at once; `saved` is
   * the result itself (the caller's); `written` resolves once it is on disk and rejects with E_STATE_WRITE
   * when it cannot be. Throws E_STATE_HOST_NAME for a bad name.
   */
  updateHost(name: string, change: (current: HostRecord) => HostRecord | undefined, fresh: (name: string) => HostRecord): { saved: HostRecord; written: Promise<void> } {
    assertHostName(name);
    const current = this.records.get(name);
    const next = change(current ? structuredClone(current) : fresh(name));
    if (next === undefined) return { saved: current ? structuredClone(current) : fresh(name), written: Promise.resolve() };
    const saved = { ...next, host: name, history: next.history.slice(0, HISTORY_LIMIT) };
    const kept = frozenCopy(saved);
    this.records.set(name, kept);
    return { saved, written: this.write(this.hostFile(name), kept) };
  }

  /**
   * Replaces a host's record whole, for whoever owns the state alone (crash recovery at start, tools and
   * tests); a running controller changes records with updateHost. Throws E_STATE_HOST_NAME for a bad name.
   */
  saveHost(record: HostRecord): Promise<void> {
    return this.updateHost(record.host, () => record, () => record).written;
  }

  /** Marks a host as gone from the inventory at `at` (kept until purged); no-op when unknown or marked. */
  async markRemoved(name: string, at: number): Promise<void> {
    const record = this.records.get(name);
    if (record === undefined || record.removedAt !== undefined) return;
    await this.updateHost(name, (r) => ({ ...r, removedAt: at }), () => record).written;
  }

  /** Deletes the records removed at least `retentionMs` before `now`; returns their names. */
  async purgeRemoved(now: number, retentionMs: number): Promise<string[]> {
    const expired = [...this.records.values()]
      .filter((r) => r.removedAt !== undefined && r.removedAt + retentionMs <= now)
      .map((r) => r.host);
    for (const name of expired) this.records.delete(name);
    await Promise.all(expired.map((name) => this.chain(this.hostFile(name), () => removeFileDurably(this.hostFile(name)))));
    return expired;
  }

  /** Resolves when every write started so far has finished (before exit). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.writes.values()]);
  }

  private hostFile(name: string): string {
    return join(this.dir, 'hosts', `${name}.json`);
  }

  private write(file: string, data: unknown): Promise<void> {
    const text = `${JSON.stringify(data, null, 2)}\n`;
    return this.chain(file, () => writeFileAtomic(file, text));
  }

  /** Runs `op` after the previous operation on `file`, so the last call's contents win on disk. */
  private chain(file: string, op: () => Promise<void>): Promise<void> {
    const previous = this.writes.get(file) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(op).then(() => {
      delete this.health.failing;
    }, (error: unknown) => {
      const message = `cannot write ${file}: ${(error as Error).message}`;
      this.health.failures++;
      this.health.failing ??= { since: this.now(), file, message };
      throw new DroverError('E_STATE_WRITE', message, { cause: error });
    });
    this.writes.set(file, next);
    void next.catch(() => undefined).then(() => {
      if (this.writes.get(file) === next) this.writes.delete(file);
    });
    return next;
  }
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function listOptional(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** A deep copy of a JSON-like value, deeply frozen: stored once, then read by anyone without copying. */
function frozenCopy<T>(value: T): T {
  return deepFreeze(structuredClone(value));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
