/**
 * `drover hosts --state-dir` and `drover explain HOST --state-dir` on a controller's state directory
 * (test/fixtures/cli/state-dir: a synced host with a resource in Conflict and a reboot required, a quarantined one after a lockout, one outside its window,
 * a suspended one, and an event log): each host's one `blockedBy` cause, and for explain the runs and
 * events that led there, compared with the expected outputs in test/fixtures/cli/state-dir-expected.
 * The directory is copied first; the test checks that reading it changed nothing.
 */
import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../support/paths.js';
import { runDrover } from './run-cli.js';

const FIXTURE = join(ROOT, 'test/fixtures/cli/state-dir');
const EXPECTED = join(ROOT, 'test/fixtures/cli/state-dir-expected');
let dir: string;
let stateDir: string;

const expected = (name: string): Promise<string> => readFile(join(EXPECTED, name), 'utf8');

/** Every file under `root` with its text, to see that a read-only command wrote nothing. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out[join(entry.parentPath, entry.name).slice(root.length)] = await readFile(join(entry.parentPath, entry.name), 'utf8');
  }
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-explain-'));
  stateDir = join(dir, 'state');
  await cp(FIXTURE, stateDir, { recursive: true });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('drover hosts --state-dir', () => {
  it('gives each host that is not Synced its one blockedBy cause (quarantined, window, suspended)', async () => {
    const run = await runDrover(['hosts', '--state-dir', stateDir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(await expected('hosts.txt'));
  });

  it('-o json carries blockedBy structured', async () => {
    const run = await runDrover(['hosts', '--state-dir', stateDir, '-o', 'json']);
    const body = JSON.parse(run.stdout) as { hosts: { host: string; blockedBy?: { kind: string; revision?: string; code?: string } }[] };
    expect(Object.fromEntries(body.hosts.map((h) => [h.host, h.blockedBy?.kind ?? null]))).toEqual({ db1: null, web1: 'quarantined', web2: 'window', web3: 'suspended' });
    expect(body.hosts.find((h) => h.host === 'web1')!.blockedBy).toMatchObject({ code: 'E_LOCKED_OUT', revision: `main@sha1:${'2'.repeat(40)}` });
  });
});

describe('drover explain HOST --state-dir', () => {
  it.each(['db1', 'web1', 'web2', 'web3'])('explains %s with its runs and events', async (host) => {
    const before = await snapshot(stateDir);
    const run = await runDrover(['explain', host, '--state-dir', stateDir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.replaceAll(stateDir, 'STATE_DIR')).toBe(await expected(`explain-${host}.txt`));
    expect(await snapshot(stateDir)).toEqual(before);
  });

  it('-o json gives the cause, the runs and the events, newest first', async () => {
    const run = await runDrover(['explain', 'web1', '--state-dir', stateDir, '-o', 'json', '--events', '1']);
    const body = JSON.parse(run.stdout) as { status: string; blockedBy: { kind: string }; history: { id: string }[]; events: { seq: number; type: string }[] };
    expect(body.status).toBe('Failed');
    expect(body.blockedBy.kind).toBe('quarantined');
    expect(body.history.map((r) => r.id)).toEqual(['r-4', 'r-1']);
    expect(body.events).toEqual([expect.objectContaining({ seq: 4, type: 'run.finished' })]);
  });

  it('an unknown host names the hosts the directory has; a bad --runs says what it takes (exit 1)', async () => {
    const unknown = await runDrover(['explain', 'web9', '--state-dir', stateDir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`no host "web9" in the state directory ${stateDir} (it has db1, web1, web2, web3)`);
    const bad = await runDrover(['explain', 'web1', '--state-dir', stateDir, '--runs', 'x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--runs x: give a whole number from 0 to 1000');
  });
});
