/**
 * The worker, revisions and source loop in one process on a manual clock (test/support/in-process-controller.ts):
 * real git, real state files and real SSH hosts, with time and the order of events in the test's hands.
 * What e2e tests of the controller process cannot order: a revision accepted while a run is in flight,
 * breaker deferral, errors that need a human, no re-apply after a rollback, a window opening.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DroverError } from '../../../../manifests/errors.js';
import { loadState } from '../../../../controller/daemon/state/state.js';
import type { FleetHost } from '../../../fleet/index.js';
import { useFleet } from '../../../support/fleet.js';
import { useGitRemote } from '../../../support/git-remote.js';
import { startInProcess, type InProcessController } from '../../../support/in-process-controller.js';
import { poll } from '../../../support/poll.js';
import { sshRun } from '../../../support/ssh.js';

const env = useFleet({ count: 5, name: 'inproc-worker' });
const remote = useGitRemote();
let ctl: InProcessController;

/** hosts/<name>.yaml: one managed file /srv/w/<name>.txt with `text`, and `extra` host fields. */
function hostYaml(host: FleetHost, name: string, text: string, extra: Record<string, unknown> = {}): string {
  return stringify({ address: host.address, ...extra, resources: [{ kind: 'file', path: `/srv/w/${name}.txt`, content: text, mode: '0644' }] });
}

const files = (texts: Record<string, string>): Record<string, string> => ({
  'roles/checked.yaml': stringify({ rollbackOnFailedTests: true, tests: [{ name: 'content', command: 'grep -qx good /srv/w/web4.txt' }] }),
  // A deny window from 11:00 to 13:00 UTC: the manual clock starts at 12:00.
  'groups/night.yaml': stringify({ include: ['web5'], windows: [{ deny: true, cron: '0 11 * * *', duration: '2h', timeZone: 'UTC' }] }),
  ...Object.fromEntries(env.fleet.hosts.map((h, i) => {
    const name = `web${i + 1}`;
    return [`hosts/${name}.yaml`, hostYaml(h, name, texts[name] ?? `${name} one\n`, name === 'web4' ? { roles: ['checked'] } : {})];
  })),
});

const onHost = (i: number, name: string): Promise<string> => sshRun(env.fleet, env.fleet.hosts[i]!.name, `cat /srv/w/${name}.txt`);
const revisionOf = (commit: string): string => `main@sha1:${commit}`;

beforeAll(async () => {
  await remote.commit(files({ web4: 'good\n' }), 'first');
  ctl = await startInProcess({ url: remote.bare, fleet: env.fleet });
  await ctl.idle();
});

afterAll(async () => {
  await ctl?.stop();
});

describe('the worker, in process on a manual clock', () => {
  it('a revision accepted while a run is in flight on a host it leaves alone: the run is kept, the host is Synced on the new revision', async () => {
    ctl.gates.hold('web1');
    ctl.api.sync({ hosts: ['web1'] });
    await poll('the run at web1', () => (ctl.gates.waiting('web1') > 0 ? true : undefined));
    expect(ctl.host('web1').status).toBe('Progressing');
    const next = await remote.commit(files({ web2: 'web2 two\n', web4: 'good\n' }), 'web2 only');
    await ctl.api.triggerFetch();
    ctl.gates.release('web1');
    await ctl.idle();
    const web1 = ctl.host('web1');
    expect(web1).toMatchObject({ status: 'Synced', lastAppliedRevision: revisionOf(next) });
    expect(web1.running).toBeUndefined();
    expect(web1.history[0]?.trigger).toBe('manual');
    // On disk too: the finished run was not overwritten by a copy taken while it ran.
    const stored = (await loadState(ctl.stateDir)).hosts.get('web1');
    expect(stored?.running).toBeUndefined();
    expect(stored?.status).toBe('Synced');
    expect(await onHost(1, 'web2')).toBe('web2 two\n');
  });

  it('an unreachable host is retried with backoff, then left to its breaker; a sync meanwhile waits for the trial', async () => {
    ctl.gates.fail('web2', new DroverError('E_CONNECT_REFUSED', 'web2: connection refused (injected)', { host: 'web2' }));
    await remote.commit(files({ web2: 'web2 three\n', web4: 'good\n' }), 'web2 again');
    await ctl.api.triggerFetch();
    await ctl.idle();
    expect(ctl.host('web2')).toMatchObject({ status: 'Unreachable', consecutiveFailures: 1 });
    ctl.clock.advance(1_000);
    await ctl.idle();
    expect(ctl.host('web2').consecutiveFailures).toBe(2);
    expect(ctl.host('web2').reason).toMatch(/left alone until the cool-down ends/);
    const { runId } = ctl.api.sync({ hosts: ['web2'] });
    await ctl.idle();
    expect(ctl.api.run(runId)?.hosts.web2).toMatchObject({ result: 'skipped', reason: expect.stringMatching(/circuit breaker/) });
    expect(ctl.api.status().queue.waiting).toBeGreaterThanOrEqual(1);
    ctl.gates.fail('web2', undefined);
    ctl.clock.advance(30_000);
    await ctl.idle();
    expect(ctl.host('web2')).toMatchObject({ status: 'Synced', consecutiveFailures: 0 });
    expect(await onHost(1, 'web2')).toBe('web2 three\n');
  });

  it('an error that needs a human (E_SSH_PROTOCOL) is not retried with backoff; a sync tries again', async () => {
    ctl.gates.fail('web3', new DroverError('E_SSH_PROTOCOL', 'web3: SSH handshake failed (injected)', { host: 'web3' }));
    await remote.commit(files({ web3: 'web3 two\n', web4: 'good\n' }), 'web3');
    await ctl.api.triggerFetch();
    await ctl.idle();
    expect(ctl.host('web3')).toMatchObject({ status: 'Failed', lastError: { code: 'E_SSH_PROTOCOL' } });
    ctl.clock.advance(8_000);
    await ctl.idle();
    expect(ctl.host('web3').history.filter((r) => r.trigger === 'retry')).toEqual([]);
    ctl.gates.fail('web3', undefined);
    ctl.api.sync({ hosts: ['web3'] });
    await ctl.idle();
    expect(ctl.host('web3').status).toBe('Synced');
    expect(await onHost(2, 'web3')).toBe('web3 two\n');
  });

  it('a suspended host is skipped by revisions and syncs, and applies the newest revision once resumed', async () => {
    await ctl.api.suspend('web3');
    await remote.commit(files({ web3: 'web3 three\n', web4: 'good\n' }), 'web3 while suspended');
    await ctl.api.triggerFetch();
    await ctl.idle();
    const { runId } = ctl.api.sync({ hosts: ['web3'] });
    await ctl.idle();
    expect(ctl.api.run(runId)?.hosts.web3).toMatchObject({ result: 'skipped', reason: 'suspended' });
    expect(ctl.host('web3').status).toBe('Suspended');
    expect(await onHost(2, 'web3')).toBe('web3 two\n');
    await ctl.api.resume('web3');
    await ctl.idle();
    expect(ctl.host('web3').status).toBe('Synced');
    expect(await onHost(2, 'web3')).toBe('web3 three\n');
  });

  it('a run rolled back for failed checks is not applied again by retries or drift checks; a sync applies it again', async () => {
    const bad = await remote.commit(files({ web3: 'web3 three\n', web4: 'bad\n' }), 'web4 bad');
    await ctl.api.triggerFetch();
    await ctl.idle();
    expect(ctl.host('web4')).toMatchObject({ status: 'Failed', lastError: { code: 'E_ROLLED_BACK' }, lastAttemptedRevision: revisionOf(bad) });
    expect(await onHost(3, 'web4')).toBe('good\n');
    const runs = ctl.host('web4').history.length;
    ctl.clock.advance(600_000);
    await ctl.idle();
    const after = ctl.host('web4').history;
    expect(after.length).toBeGreaterThan(runs);
    expect(after.slice(0, after.length - runs).every((r) => r.dryRun)).toBe(true);
    expect(await onHost(3, 'web4')).toBe('good\n');
    ctl.api.sync({ hosts: ['web4'] });
    await ctl.idle();
    expect(ctl.host('web4').history[0]).toMatchObject({ trigger: 'manual', dryRun: false, result: 'failed' });
  });

  it('a host in a deny window is planned, not applied, and applied when the window closes', async () => {
    await remote.commit(files({ web3: 'web3 three\n', web4: 'good\n', web5: 'web5 two\n' }), 'web5');
    await ctl.api.triggerFetch();
    await ctl.idle();
    expect(ctl.host('web5')).toMatchObject({ status: 'OutOfSync', reason: expect.stringMatching(/^OutsideWindow:/) });
    // Held since the first revision: its runs were plans only.
    expect(ctl.host('web5').history.every((r) => r.dryRun)).toBe(true);
    expect(await sshRun(env.fleet, env.fleet.hosts[4]!.name, 'cat /srv/w/web5.txt 2>/dev/null || echo absent')).toBe('absent\n');
    ctl.clock.advance(3_600_000);
    await ctl.idle();
    expect(ctl.host('web5').status).toBe('Synced');
    expect(await onHost(4, 'web5')).toBe('web5 two\n');
  });
});
