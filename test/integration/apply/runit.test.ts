/**
 * runit services on a real host: drover installs Debian's runit package, runsvdir scans /etc/service as
 * runit's init would, and drover writes a service's run script and config, links it, starts it, restarts
 * it when its config changes (right after linking too), stops it and disables (unlinks) it; the probe
 * reads the real `sv status` and every state converges to an in-sync plan.
 */
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyConverged } from '../../../controller/apply/verify.js';
import { observeHost } from '../../../controller/facts/observe.js';
import type { DesiredResource, DesiredState } from '../../../manifests/types.js';
import { poll } from '../../support/poll.js';
import { desiredState, file, resource } from '../../support/desired.js';
import { useFleetHost } from '../../support/fleet.js';
import { converge, sh, statuses } from './support.js';

const RUNIT = resource('package', 'runit', { name: 'runit' });
/** The run script takes its environment from the config file, so a restart shows in /proc/PID/environ. */
const RUN = '#!/bin/sh\nexec env $(cat /etc/hello.conf) sleep 100000\n';

beforeAll(() => {
  // Cache the .debs on the machine before the host starts (its / is an overlay of it): the host then installs offline.
  execFileSync('apt-get', ['install', '-y', '-q', '--download-only', '--no-install-recommends', 'runit'], { stdio: 'ignore' });
});
const host = useFleetHost({ name: 'apply-runit' });

beforeAll(async () => {
  const { result } = await converge(desiredState('host1', [RUNIT]), host.ssh);
  if (!result.ok) throw new Error(`installing runit failed: ${JSON.stringify(result.steps)}`);
  // Debian links ssh and default-syslog into the default runsvdir; a second sshd would share the
  // machine's network, so only drover's service runs. Then start the scanner as runit's stage 2 does.
  await sh(host.ssh, 'rm -f /etc/service/ssh /etc/service/default-syslog; setsid runsvdir -P /etc/service </dev/null >/dev/null 2>&1 &');
  await poll('runsvdir to scan /etc/service', () => sh(host.ssh, 'ps -eo args'), { until: (ps) => /^runsvdir -P \/etc\/service/m.test(ps), timeoutMs: 10_000 });
}, 120_000);

function desired(config: string, service: Record<string, unknown> = {}, extra: DesiredResource[] = []): DesiredState {
  return desiredState('host1', [
    RUNIT,
    resource('directory', '/etc/sv/hello', { path: '/etc/sv/hello' }),
    file('/etc/sv/hello/run', RUN, { mode: '0755' }),
    { ...file('/etc/hello.conf', config), notify: ['service:hello'] },
    resource('service', 'hello', { name: 'hello', manager: 'runit', ...service }),
    ...extra,
  ]);
}

/** `name: status` of the steps that did not find their resource in sync. */
function acted(result: Parameters<typeof statuses>[0]): Record<string, string> {
  return Object.fromEntries(Object.entries(statuses(result)).filter(([, status]) => status !== 'unchanged'));
}

/** The first line of `sv status hello` with the uptime masked. */
async function svStatus(): Promise<string> {
  return (await sh(host.ssh, 'sv status hello 2>&1 || :')).replace(/ \d+s/g, ' Ns');
}

/** Pid of the service's process (runsv's supervise/pid). */
async function pid(): Promise<string> {
  return (await sh(host.ssh, 'cat /etc/sv/hello/supervise/pid')).trim();
}

describe('a runit service', () => {
  it('is installed, linked, started and restarted right after linking, and reported as running', async () => {
    const { result } = await converge(desired('LEVEL=1\n'), host.ssh);
    expect(result.ok).toBe(true);
    expect(acted(result)).toEqual({
      install_dir_etc_sv_hello: 'changed', regen_etc_sv_hello_run: 'changed', regen_etc_hello_conf: 'changed', install_service_hello: 'changed', restart_hello: 'changed',
    });
    expect(await svStatus()).toMatch(/^run: hello: \(pid \d+\) Ns\n$/);
    expect(await sh(host.ssh, 'readlink /etc/service/hello; stat -c %a /etc/sv/hello/run')).toBe('/etc/sv/hello\n755\n');
    expect(await sh(host.ssh, `tr '\\0' '\\n' < /proc/${await pid()}/environ | grep LEVEL`)).toBe('LEVEL=1\n');
    const observed = await observeHost(desired('LEVEL=1\n'), host.ssh);
    expect(observed.resources['service:hello']).toEqual({ kind: 'service', manager: 'runit', known: true, enabled: true, active: true, live: true, activeState: 'run' });
    expect((await verifyConverged(desired('LEVEL=1\n'), host.ssh)).inSync).toBe(true);
  });

  it('changes nothing when applied again', async () => {
    const before = await pid();
    const { result } = await converge(desired('LEVEL=1\n'), host.ssh);
    expect(result.roundTrips).toBe(0);
    expect(await pid()).toBe(before);
  });

  it('is restarted when its config changes, not when an unrelated file changes', async () => {
    const before = await pid();
    const { result } = await converge(desired('LEVEL=2\n'), host.ssh);
    expect(acted(result)).toMatchObject({ regen_etc_hello_conf: 'changed', restart_hello: 'changed' });
    const after = await pid();
    expect(after).not.toBe(before);
    expect(await sh(host.ssh, `tr '\\0' '\\n' < /proc/${after}/environ | grep LEVEL`)).toBe('LEVEL=2\n');
    const unrelated = await converge(desired('LEVEL=2\n', {}, [file('/etc/unrelated.conf', 'x\n')]), host.ssh);
    expect(acted(unrelated.result)).toEqual({ regen_etc_unrelated_conf: 'changed' });
    expect(await pid()).toBe(after);
  });

  it('state: stopped takes it down (sv stop) and is then in sync', async () => {
    const stopped = desired('LEVEL=2\n', { state: 'stopped' });
    const { result } = await converge(stopped, host.ssh);
    expect(acted(result)).toEqual({ install_service_hello: 'changed' });
    expect(await svStatus()).toMatch(/^down: hello: Ns, normally up\n$/);
    expect((await observeHost(stopped, host.ssh)).resources['service:hello']).toEqual({ kind: 'service', manager: 'runit', known: true, enabled: true, active: false, live: true, activeState: 'down' });
    expect((await verifyConverged(stopped, host.ssh)).inSync).toBe(true);
    expect((await converge(desired('LEVEL=2\n'), host.ssh)).result.ok).toBe(true);
    expect(await svStatus()).toMatch(/^run: hello: /);
  });

  it('enabled: false stops and unlinks it; runsvdir then ends its runsv', async () => {
    const disabled = desired('LEVEL=2\n', { enabled: false });
    const { result } = await converge(disabled, host.ssh);
    expect(acted(result)).toEqual({ install_service_hello: 'changed' });
    expect(await sh(host.ssh, 'ls /etc/service; ps -eo args | grep -c "^sleep 100000" || :')).toBe('0\n');
    await expect.poll(() => sh(host.ssh, 'ps -eo args'), { timeout: 15_000, interval: 200 }).not.toMatch(/^runsv hello/m);
    expect((await observeHost(disabled, host.ssh)).resources['service:hello']).toMatchObject({ known: true, enabled: false, active: false, live: false });
    expect((await verifyConverged(disabled, host.ssh)).inSync).toBe(true);
  });

  it('is linked and started again, in sync at once', async () => {
    const { result } = await converge(desired('LEVEL=3\n'), host.ssh);
    expect(acted(result)).toMatchObject({ regen_etc_hello_conf: 'changed', install_service_hello: 'changed', restart_hello: 'changed' });
    expect(await svStatus()).toMatch(/^run: hello: /);
    expect((await verifyConverged(desired('LEVEL=3\n'), host.ssh)).inSync).toBe(true);
  });
});
