/** The state store on a real filesystem (a temp dir per test). */
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DroverError } from '../../../../manifests/errors.js';
import { HISTORY_LIMIT, newControllerRecord, newHostRecord, withRun, type HostRecord, type RunRecord } from '../../../../controller/daemon/state/records.js';
import { loadState, openStateStore } from '../../../../controller/daemon/state/state.js';
import { needsReobservation, recoverAfterCrash } from '../../../../controller/daemon/state/status.js';

let dir: string;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'drover-state-')); });
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const REV = 'main@sha1:1111111111111111111111111111111111111111';

function run(id: string, startedAt: number): RunRecord {
  return { id, trigger: 'revision', revision: REV, startedAt, endedAt: startedAt + 5, dryRun: false, result: 'applied', changedSteps: ['file:/etc/motd'] };
}

function web1(): HostRecord {
  return {
    ...newHostRecord('web1'), status: 'Synced', reason: 'in sync with ' + REV,
    lastAttemptedRevision: REV, lastAppliedRevision: REV, lastAttemptAt: 100, lastSuccessAt: 105,
    lastPlan: { revision: REV, inSync: true, steps: [{ name: 'file:/etc/motd', action: 'update', reasons: ['content'] }], counts: { update: 1 } },
    lastError: { code: 'E_APPLY', message: 'boom', step: 'file:/etc/motd', stderrTail: 'no space', at: 90 },
    history: [run('r2', 100), run('r1', 50)],
  };
}

async function expectCorrupt(promise: Promise<unknown>, ...fragments: string[]): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(DroverError);
  expect((error as DroverError).code).toBe('E_STATE_CORRUPT');
  for (const fragment of fragments) expect((error as DroverError).message).toContain(fragment);
}

describe('state store', () => {
  it('starts empty and round-trips controller and host records through the files', async () => {
    const { store, loaded } = await openStateStore(dir);
    expect(loaded.hosts.size).toBe(0);
    expect(store.controller()).toEqual({ consecutiveFetchFailures: 0 });
    const controller = {
      newestRevision: REV, lastGoodRevision: REV, consecutiveFetchFailures: 2, lastFetchAt: 7,
      rejected: { revision: REV, problems: [{ file: 'hosts/a.yaml', line: 3, col: 5, path: 'port', message: 'must be a number' }], at: 7 },
      lastFetchError: { code: 'E_SOURCE_FETCH', message: 'remote gone', at: 7 },
    };
    await store.saveController(controller);
    await store.saveHost(web1());
    await store.saveHost(newHostRecord('db-1.example.com'));

    const again = await loadState(dir);
    expect(again.controller).toEqual(controller);
    expect([...again.hosts.keys()]).toEqual(['db-1.example.com', 'web1']);
    expect(again.hosts.get('web1')).toEqual(web1());
    expect(JSON.parse(await readFile(join(dir, 'hosts', 'web1.json'), 'utf8'))).toEqual(web1());
    expect(store.hosts().map((h) => h.host)).toEqual(['db-1.example.com', 'web1']);
  });

  it('keeps the state to its user whatever the umask: the dirs 0700, the files 0600', async () => {
    const old = process.umask(0);
    try {
      await chmod(dir, 0o755);
      const { store } = await openStateStore(dir);
      await store.saveHost(web1());
      await store.saveController({ ...newControllerRecord(), newestRevision: REV });
    } finally {
      process.umask(old);
    }
    const mode = async (path: string): Promise<string> => ((await stat(path)).mode & 0o777).toString(8);
    expect(await mode(dir)).toBe('700');
    expect(await mode(join(dir, 'hosts'))).toBe('700');
    expect(await mode(join(dir, 'hosts', 'web1.json'))).toBe('600');
    expect(await mode(join(dir, 'controller.json'))).toBe('600');
  });

  it('returns frozen records: changing a returned record throws and changes nothing stored', async () => {
    const { store } = await openStateStore(dir);
    await store.saveHost(web1());
    const record = store.host('web1') as HostRecord;
    expect(() => { record.history.length = 0; }).toThrow(TypeError);
    expect(() => { store.hosts()[0]!.history[0]!.changedSteps.push('x'); }).toThrow(TypeError);
    expect(store.host('web1')?.history).toHaveLength(2);
  });

  it('keeps the last of several quick saves of one host, on disk too', async () => {
    const { store } = await openStateStore(dir);
    const saves = Array.from({ length: 20 }, (_, i) => store.saveHost({ ...web1(), consecutiveFailures: i }));
    await Promise.all(saves);
    expect((await loadState(dir)).hosts.get('web1')?.consecutiveFailures).toBe(19);
    expect(await readdir(join(dir, 'hosts'))).toEqual(['web1.json']);
  });

  it('bounds the history to the newest HISTORY_LIMIT runs', async () => {
    const { store } = await openStateStore(dir);
    let record = newHostRecord('web1');
    for (let i = 0; i < HISTORY_LIMIT + 7; i++) record = withRun(record, run(`r${i}`, i));
    await store.saveHost({ ...record, history: [run('extra', 999), ...record.history] });
    const history = (await loadState(dir)).hosts.get('web1')?.history ?? [];
    expect(history).toHaveLength(HISTORY_LIMIT);
    expect(history[0]?.id).toBe('extra');
    expect(history[1]?.id).toBe(`r${HISTORY_LIMIT + 6}`);
  });

  it('reports and removes temp files left by interrupted writes, keeping the records intact', async () => {
    const first = await openStateStore(dir);
    await first.store.saveHost(web1());
    const strayHost = join(dir, 'hosts', '.web1.json.0badc0de.tmp');
    const strayController = join(dir, '.controller.json.12345678.tmp');
    await writeFile(strayHost, '{"host": "web1", "stat');
    await writeFile(strayController, '');
    await writeFile(join(dir, 'hosts', 'notes.txt'), 'operator notes');

    const readOnly = await loadState(dir);
    expect(readOnly.strayTempFiles.sort()).toEqual([strayController, strayHost].sort());
    expect(readOnly.ignoredFiles).toEqual([join(dir, 'hosts', 'notes.txt')]);

    const { store, loaded } = await openStateStore(dir);
    expect(loaded.strayTempFiles).toHaveLength(2);
    expect(store.host('web1')).toEqual(web1());
    expect((await readdir(join(dir, 'hosts'))).sort()).toEqual(['notes.txt', 'web1.json']);
    expect(await readdir(dir)).not.toContain('.controller.json.12345678.tmp');
  });

  it('refuses a truncated host file, naming it', async () => {
    const { store } = await openStateStore(dir);
    await store.saveHost(web1());
    const file = join(dir, 'hosts', 'web1.json');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(0, text.length / 2));
    await expectCorrupt(openStateStore(dir), file, 'not valid JSON');
  });

  it('refuses an empty file and a malformed controller.json with the position', async () => {
    await openStateStore(dir);
    await writeFile(join(dir, 'hosts', 'web1.json'), '');
    await expectCorrupt(loadState(dir), join(dir, 'hosts', 'web1.json'), 'empty file');
    await rm(join(dir, 'hosts', 'web1.json'));
    await writeFile(join(dir, 'controller.json'), '{\n  "consecutiveFetchFailures": 0,\n  oops\n}');
    await expectCorrupt(loadState(dir), `${join(dir, 'controller.json')}:3:3`);
  });

  it('refuses a record whose fields are wrong, naming file and field', async () => {
    await openStateStore(dir);
    const file = join(dir, 'hosts', 'web1.json');
    await writeFile(file, JSON.stringify({ ...web1(), host: 'web2' }));
    await expectCorrupt(loadState(dir), file, 'field "host"', '"web1"');
    await writeFile(file, JSON.stringify({ ...web1(), history: [run('r1', 1), { ...run('r0', 0), startedAt: 'yesterday' }] }));
    await expectCorrupt(loadState(dir), file, 'field "history[1].startedAt"');
    await writeFile(file, JSON.stringify({ ...web1(), status: 'Happy' }));
    await expectCorrupt(loadState(dir), file, 'field "status"', 'Synced');
  });

  it('a failed write rejects with E_STATE_WRITE naming the file, leaves no temp file, and the next save works', async () => {
    const { store } = await openStateStore(dir);
    await store.saveHost(web1());
    const hostsDir = join(dir, 'hosts');
    await rm(hostsDir, { recursive: true });
    await writeFile(hostsDir, 'not a directory');
    const error = await store.saveHost({ ...web1(), consecutiveFailures: 1 }).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_STATE_WRITE', kind: 'transient' });
    expect((error as Error).message).toContain(join(hostsDir, 'web1.json'));
    await rm(hostsDir);
    await mkdir(hostsDir);
    await store.saveHost({ ...web1(), consecutiveFailures: 2 });
    expect(await readdir(hostsDir)).toEqual(['web1.json']);
    expect((await loadState(dir)).hosts.get('web1')?.consecutiveFailures).toBe(2);
  });

  it('refuses a host name that is not a safe file name, writing nothing', async () => {
    const { store } = await openStateStore(dir);
    for (const name of ['../etc/passwd', '.hidden', 'a/b', '']) {
      expect(() => store.saveHost(newHostRecord(name))).toThrow(/cannot name a host record/);
    }
    expect(await readdir(join(dir, 'hosts'))).toEqual([]);
  });

  it('marks removed hosts and purges them after the retention period', async () => {
    const { store } = await openStateStore(dir);
    await store.saveHost(web1());
    await store.saveHost(newHostRecord('web2'));
    await store.markRemoved('web1', 1000);
    await store.markRemoved('web1', 5000);
    await store.markRemoved('nobody', 1000);
    expect((await loadState(dir)).hosts.get('web1')?.removedAt).toBe(1000);

    expect(await store.purgeRemoved(1999, 1000)).toEqual([]);
    expect(await store.purgeRemoved(2000, 1000)).toEqual(['web1']);
    expect(store.host('web1')).toBeUndefined();
    expect(await readdir(join(dir, 'hosts'))).toEqual(['web2.json']);
    expect([...(await loadState(dir)).hosts.keys()]).toEqual(['web2']);
  });

  it('reads a missing state directory as empty without creating it', async () => {
    const missing = join(dir, 'nothing-here');
    const loaded = await loadState(missing);
    expect(loaded.hosts.size).toBe(0);
    await expect(readdir(missing)).rejects.toThrow(/ENOENT/);
  });

  it('a record left mid-run by a killed controller is recovered and stored consistently', async () => {
    const first = await openStateStore(dir);
    const running: RunRecord = { id: 'r3', trigger: 'revision', revision: REV, startedAt: 200, dryRun: false, changedSteps: [] };
    await first.store.saveHost({ ...web1(), status: 'Progressing', reason: 'reconciling', running });

    // The controller is killed here; a new one opens the same directory.
    const { store } = await openStateStore(dir);
    const loaded = store.host('web1') as HostRecord;
    expect(needsReobservation(loaded)).toBe(false);
    const { record } = recoverAfterCrash(loaded);
    expect(needsReobservation(record)).toBe(true);
    await store.saveHost(record);

    const after = (await loadState(dir)).hosts.get('web1') as HostRecord;
    expect(after.running).toBeUndefined();
    expect(after.history.map((r) => [r.id, r.result])).toEqual([['r3', 'interrupted'], ['r2', 'applied'], ['r1', 'applied']]);
    expect(after.status).toBe('OutOfSync');
  });
});
