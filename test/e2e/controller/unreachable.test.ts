/**
 * Hosts that cannot be reached under a real controller: a host nothing answers for is Unreachable and
 * retried with backoff (then left alone by its circuit breaker between trials), a host whose key
 * changed is refused and shows why, and the other hosts converge meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startFleet, type Fleet } from '../../fleet/index.js';
import { runDrover } from '../../integration/cli/run-cli.js';
import { sshRun } from '../../support/ssh.js';
import {
  controllerConfig, createRemote, hostFile, hostRecord, revisionOf, startControllerProcess, tempDir, waitForHost,
  type ControllerProcess, type GitRemote,
} from './support.js';

let fleet: Fleet;
let remote: GitRemote;
let dir: string;
let ctl: ControllerProcess | undefined;

beforeAll(async () => {
  fleet = await startFleet({ count: 2, name: 'ctl-unreach', wrongHostKey: [1] });
  remote = await createRemote();
  dir = await tempDir();
});

afterAll(async () => {
  await ctl?.stop();
  await fleet?.stop();
  await remote?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('drover controller: unreachable hosts', () => {
  it('marks a dead host Unreachable with backoff and refuses a changed host key (Failed, not retried), while the others converge', async () => {
    const commit = await remote.commit({
      'hosts/good.yaml': hostFile(fleet.hosts[0]!, 'hello\n'),
      'hosts/rekeyed.yaml': hostFile(fleet.hosts[1]!, 'hello\n'),
      // Nothing listens on port 1: connections are refused at once.
      'hosts/dead.yaml': stringify({ address: '127.0.0.1', port: 1, resources: [{ kind: 'file', path: '/srv/x', content: 'x' }] }),
    });
    const stateDir = join(dir, 'state');
    ctl = await startControllerProcess({ dir, stateDir, config: controllerConfig({ remote, fleet, stateDir }) });
    await waitForHost(ctl, 'good', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(commit), 'synced');
    expect(await sshRun(fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('hello\n');

    const dead = await waitForHost(ctl, 'dead', (r) => r.history.length >= 4, 'four attempts');
    expect(dead.status).toBe('Unreachable');
    expect(dead.lastError?.code).toBe('E_CONNECT_REFUSED');
    expect(dead.history.every((h) => h.result === 'unreachable')).toBe(true);
    expect(dead.consecutiveFailures).toBe(dead.history.length);
    // Retries wait: at least half the base delay (200 ms, equal jitter) between attempts.
    const starts = dead.history.map((h) => h.startedAt).reverse();
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(100);

    // Refused, not unreachable: it answered with another key. It needs a human, so it is not retried.
    const rekeyed = await waitForHost(ctl, 'rekeyed', (r) => r.history.length >= 1 && r.running === undefined, 'attempted');
    expect(rekeyed.status).toBe('Failed');
    expect(rekeyed.lastError?.code).toBe('E_HOST_KEY_MISMATCH');
    expect((await waitForHost(ctl, 'dead', (r) => r.history.length >= dead.history.length + 2, 'two more attempts')).status).toBe('Unreachable');
    expect((await hostRecord(stateDir, 'rekeyed'))?.history).toHaveLength(1);
    const shown = await runDrover(['hosts', '--state-dir', stateDir]);
    expect(shown.stdout).toMatch(/rekeyed\s+Failed\s+-\s+\S+\s+E_HOST_KEY_MISMATCH/);
  });
});
