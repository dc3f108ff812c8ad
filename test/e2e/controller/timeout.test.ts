/**
 * The per-run timeout of a real controller: a run that takes longer than runTimeout is stopped and the
 * host is Failed with E_RUN_TIMEOUT; what was sent to the host finishes there by itself (detached), and
 * the retries find the host converged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startFleet, type Fleet } from '../../fleet/index.js';
import { sshRun } from '../../support/ssh.js';
import {
  controllerConfig, createRemote, revisionOf, startControllerProcess, tempDir, waitForHost,
  type ControllerProcess, type GitRemote,
} from './support.js';

let fleet: Fleet;
let remote: GitRemote;
let dir: string;
let ctl: ControllerProcess | undefined;

beforeAll(async () => {
  fleet = await startFleet({ count: 1, name: 'ctl-timeout' });
  remote = await createRemote();
  dir = await tempDir();
});

afterAll(async () => {
  await ctl?.stop();
  await fleet?.stop();
  await remote?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('drover controller: per-run timeout', () => {
  it('fails a run that takes too long with E_RUN_TIMEOUT, and a retry finds the host converged', async () => {
    const commit = await remote.commit({
      'hosts/web1.yaml': stringify({
        address: fleet.hosts[0]!.address,
        resources: [{ kind: 'command', name: 'long', run: 'sleep 3 && touch /root/long-done', creates: '/root/long-done' }],
      }),
    });
    const stateDir = join(dir, 'state');
    ctl = await startControllerProcess({ dir, stateDir, config: controllerConfig({ remote, fleet, stateDir, extra: { runTimeout: '1s' } }) });
    const timedOut = await waitForHost(ctl, 'web1', (r) => r.lastError?.code === 'E_RUN_TIMEOUT', 'timed out');
    expect(timedOut.status).toBe('Failed');
    expect(timedOut.lastError?.message).toContain('goes on on the host by itself');
    const converged = await waitForHost(ctl, 'web1', (r) => r.status === 'Synced', 'synced after the detached run finished');
    expect(converged.lastAppliedRevision).toBe(revisionOf(commit));
    expect(converged.history.at(-1)).toMatchObject({ result: 'failed', trigger: 'revision' });
    expect(converged.history[0]).toMatchObject({ trigger: 'retry' });
    expect(await sshRun(fleet, 'host1', 'test -e /root/long-done && echo done')).toBe('done\n');
  });
});
