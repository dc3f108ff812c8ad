/**
 * Hosts that cannot be reached under a real controller: a host nothing answers for is Unreachable and
 * retried with backoff (then left alone by its circuit breaker between trials), a host whose key
 * changed is refused and shows why, and the other hosts converge meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runDrover } from '../../integration/cli/run-cli.js';
import { sshRun } from '../../support/ssh.js';
import { hostFile, hostRecord, revisionOf, waitForHost, useControllerEnv } from './support.js';

const env = useControllerEnv({ count: 2, name: 'ctl-unreach', wrongHostKey: [1] });

describe('drover controller: unreachable hosts', () => {
  it('marks a dead host Unreachable with backoff and refuses a changed host key (Failed, not retried), while the others converge', async () => {
    const commit = await env.remote.commit({
      'hosts/good.yaml': hostFile(env.fleet.hosts[0]!, 'hello\n'),
      'hosts/rekeyed.yaml': hostFile(env.fleet.hosts[1]!, 'hello\n'),
      // Nothing listens on port 1: connections are refused at once.
      'hosts/dead.yaml': stringify({ address: '127.0.0.1', port: 1, resources: [{ kind: 'file', path: '/srv/x', content: 'x' }] }),
    });
    const stateDir = env.stateDir;
    const ctl = await env.start();
    await waitForHost(ctl, 'good', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(commit), 'synced');
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe('hello\n');

    const dead = await waitForHost(ctl, 'dead', (r) => r.history.length >= 4, 'four attempts');
    expect(dead.status).toBe('Unreachable');
    expect(dead.lastError?.code).toBe('E_CONNECT_REFUSED');
    expect(dead.history.every((h) => h.result === 'unreachable')).toBe(true);
    expect(dead.consecutiveFailures).toBe(dead.history.length);
    // Every attempt after the first is a retry; its backoff delay is tested on an injected clock
    // (test/unit/daemon/queue.test.ts, backoff.test.ts), not measured here.
    expect(dead.history.map((h) => h.trigger).reverse()).toEqual(['revision', ...dead.history.slice(1).map(() => 'retry')]);

    // Refused, not unreachable: it answered with another key. It needs a human, so it is not retried.
    const rekeyed = await waitForHost(ctl, 'rekeyed', (r) => r.history.length >= 1 && r.running === undefined, 'attempted');
    expect(rekeyed.status).toBe('Failed');
    expect(rekeyed.lastError?.code).toBe('E_HOST_KEY_MISMATCH');
    expect((await waitForHost(ctl, 'dead', (r) => r.history.length >= dead.history.length + 2, 'two more attempts')).status).toBe('Unreachable');
    expect((await hostRecord(stateDir, 'rekeyed'))?.history).toHaveLength(1);
    const shown = await runDrover(['hosts', '--state-dir', stateDir]);
    expect(shown.stdout).toMatch(/rekeyed\s+Failed\s+-\s+\S+\s+failed\s+failing since \S+ \(E_HOST_KEY_MISMATCH\)/);
  });
});
