/**
 * The lockout guard on a real OpenSSH host (apply/guard.ts, reconcile/confirm.ts): a confirmed run stays
 * and leaves no watchdog behind (the apply lock is free at once); a run that replaces the host's
 * authorized_keys cannot be confirmed over a new connection, and the host itself puts the file back, runs
 * the notified command again and records why (the probe reads it); a run nobody confirms (its controller
 * gone) is undone too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../../controller/apply/execute.js';
import { observeHost } from '../../../controller/facts/observe.js';
import { planHost } from '../../../controller/plan/plan-host.js';
import { reconcileHost } from '../../../controller/reconcile/pipeline.js';
import { connectSsh } from '../../../controller/transport/ssh.js';
import type { DesiredResource, DesiredState } from '../../../manifests/types.js';
import { startFleet, type Fleet } from '../../fleet/index.js';
import { poll } from '../../support/poll.js';
import { fleetSshOptions, sshRun } from '../../support/ssh.js';
import { desiredState, file, resource } from '../../support/desired.js';

const KEYS = '/etc/ssh/drover/authorized_keys';
let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet({ count: 1, name: 'lockout-guard' });
});

afterAll(async () => {
  await fleet?.stop();
});

const connect = () => connectSsh(fleetSshOptions(fleet, fleet.hosts[0]!));

/** A host whose resources are `resources`, guarded with confirmWithin `withinMs`. */
function guarded(resources: DesiredResource[], withinMs: number): DesiredState {
  const desired = desiredState('host1', resources);
  return { ...desired, host: { ...desired.host, confirmWithinMs: withinMs } };
}

/** A command run when notified: it counts its runs in /srv/guard/ran. */
const counter = resource('command', 'count', { name: 'count', run: 'echo run >> /srv/guard/ran', refreshOnly: true });

describe('the lockout guard', () => {
  it('a confirmed run stays; no watchdog, guard dir or undo record is left, and the apply lock is free', async () => {
    const desired = guarded([resource('directory', '/srv/guard', { path: '/srv/guard' }), file('/srv/guard/a', 'one\n')], 3000);
    const result = await reconcileHost({ desired, transport: connect, connectFresh: connect, mode: 'apply', withTexts: false, revision: 'main@sha1:aaaa' });
    expect(result.outcome, result.error?.message).toBe('applied');
    expect(result.apply?.guarded).toBe(true);
    expect(await sshRun(fleet, 'host1', 'ls /var/lib/drover; cat /srv/guard/a; flock -n /var/lib/drover/lock true && echo free')).toBe('inventory\nlock\npristine\none\nfree\n');
  });

  it('a run that changes only files in a data area (/srv/guard/*) is not guarded: no watchdog, no confirmation', async () => {
    const desired = guarded([file('/srv/guard/data', 'data\n')], 3000);
    const result = await reconcileHost({ desired, transport: connect, connectFresh: connect, mode: 'apply', withTexts: false, revision: 'main@sha1:dddd' });
    expect(result.outcome, result.error?.message).toBe('applied');
    expect(result.apply?.guarded).toBeFalsy();
    expect(await sshRun(fleet, 'host1', 'cat /srv/guard/data; test -e /var/lib/drover/guard && echo guard || echo none')).toBe('data\nnone\n');
  });

  it('a run that replaces authorized_keys is undone by the host: the file put back, its handler run again, the reason recorded', async () => {
    const resources = [
      resource('directory', '/srv/guard', { path: '/srv/guard' }),
      { ...file(KEYS, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMMzvBGUaSmOITbvfQpBR5oAh5sE9bLx3cFiGfTfYqMN nobody\n', { mode: '0644' }), notify: ['command:count'] },
      counter,
    ];
    const desired = guarded(resources, 2000);
    const result = await reconcileHost({ desired, transport: connect, connectFresh: connect, mode: 'apply', withTexts: false, revision: 'main@sha1:bbbb' });
    expect(result.outcome).toBe('failed');
    expect(result.error?.code).toBe('E_LOCKED_OUT');
    expect(result.error?.message).toMatch(/could not be confirmed over a new SSH connection within 2s \(E_AUTH/);
    expect(result.error?.message).toContain(`put back ${KEYS}`);
    expect(result.undone).toMatchObject({ label: 'main@sha1:bbbb', withinSeconds: 2, restored: [KEYS], handlers: [{ step: 'install_command_count', exitCode: 0 }] });
    // The fleet's key works again, the command ran twice (the run, then the undo), the record is there for the next probe.
    expect(await sshRun(fleet, 'host1', 'cat /srv/guard/ran')).toBe('run\nrun\n');
    const observed = await observeHost(desired, await connect());
    expect(observed.undone?.id).toBe(result.undone?.id);
    // A run that knows the record goes on (and a run that changes something removes it).
    const again = await reconcileHost({ desired: guarded([file('/srv/guard/b', 'b\n')], 2000), transport: connect, connectFresh: connect, mode: 'apply', withTexts: false, knownUndone: result.undone!.id });
    expect(again.outcome, again.error?.message).toBe('applied');
    expect(await sshRun(fleet, 'host1', 'test -e /var/lib/drover/undone && echo kept || echo gone')).toBe('gone\n');
  });

  it('a guarded run nobody confirms (its controller gone) is undone; the next probe reads why, and reconcileHost reports it before applying', async () => {
    const desired = guarded([file('/srv/guard/c', 'c\n')], 1000);
    const transport = await connect();
    const observed = await observeHost(desired, transport);
    const apply = await applyPlan({ desired, observed, plan: planHost(desired, observed), transport, options: { guard: { id: 'c0ffee00c0ffee00', withinMs: 1000, label: 'main@sha1:cccc' } } });
    expect(apply.guarded).toBe(true);
    const undone = await poll('the undo record', async () => (await observeHost(desired, transport)).undone);
    expect(undone).toMatchObject({ id: 'c0ffee00c0ffee00', label: 'main@sha1:cccc', removed: ['/srv/guard/c'] });
    const result = await reconcileHost({ desired, transport: connect, connectFresh: connect, mode: 'apply', withTexts: false });
    expect(result.outcome).toBe('failed');
    expect(result.error?.code).toBe('E_LOCKED_OUT');
    expect(result.apply).toBeUndefined();
    expect(await sshRun(fleet, 'host1', 'test -e /srv/guard/c && echo there || echo absent')).toBe('absent\n');
    await transport.close();
  });
});
