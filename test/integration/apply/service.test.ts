/**
 * Services on a host running systemd: a unit and its config written by drover, the service enabled and
 * started, and restarted by its handler only when a notifying file changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyConverged } from '../../../controller/apply/verify.js';
import { connectSsh } from '../../../controller/transport/ssh.js';
import type { Transport } from '../../../controller/transport/types.js';
import { startFleet, type Fleet } from '../../fleet/index.js';
import { desiredState, file, resource } from '../../support/desired.js';
import { fleetSshOptions } from '../transport/fleet-options.js';
import { converge, sh, statuses } from './support.js';

let fleet: Fleet;
let t: Transport;

beforeAll(async () => {
  fleet = await startFleet({ count: 1, systemd: true, name: 'apply-systemd' });
  t = await connectSsh(fleetSshOptions(fleet, fleet.hosts[0]!));
});

afterAll(async () => {
  await t?.close();
  await fleet?.stop();
});

const UNIT = '[Unit]\nDescription=drover apply test\n[Service]\nEnvironmentFile=/etc/drover-demo.conf\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n';

function desired(config: string) {
  return desiredState('host1', [
    { ...file('/etc/systemd/system/drover-demo.service', UNIT), notify: ['service:drover-demo'] },
    { ...file('/etc/drover-demo.conf', config), notify: ['service:drover-demo'] },
    resource('service', 'drover-demo', { name: 'drover-demo', enabled: true, state: 'running' }),
  ]);
}

/** MainPID and ActiveEnterTimestampMonotonic of the unit. */
async function started(): Promise<string> {
  return sh(t, 'systemctl show -p MainPID -p ActiveEnterTimestampMonotonic drover-demo.service');
}

describe('a systemd service', () => {
  it('is installed, enabled and started from scratch (daemon-reload for the new unit)', async () => {
    const { result } = await converge(desired('LEVEL=1\n'), t);
    expect(result.ok).toBe(true);
    expect(statuses(result)).toEqual({ regen_etc_systemd_system_drover_demo_service: 'changed', regen_etc_drover_demo_conf: 'changed', install_service_drover_demo: 'changed', restart_drover_demo: 'changed' });
    expect(await sh(t, 'systemctl is-enabled drover-demo.service; systemctl is-active drover-demo.service')).toBe('enabled\nactive\n');
    expect((await verifyConverged(desired('LEVEL=1\n'), t)).inSync).toBe(true);
  });

  it('is not restarted when nothing changed', async () => {
    const before = await started();
    const { result } = await converge(desired('LEVEL=1\n'), t);
    expect(result.roundTrips).toBe(0);
    expect(await started()).toBe(before);
  });

  it('is restarted once when its config changed, and then left alone', async () => {
    const before = await started();
    const { result } = await converge(desired('LEVEL=2\n'), t);
    expect(statuses(result)).toMatchObject({ backup_etc_drover_demo_conf: 'changed', regen_etc_drover_demo_conf: 'changed', restart_drover_demo: 'changed' });
    const after = await started();
    expect(after).not.toBe(before);
    expect(await sh(t, 'tr "\\0" "\\n" < /proc/$(systemctl show -p MainPID --value drover-demo.service)/environ | grep LEVEL')).toBe('LEVEL=2\n');
    await converge(desired('LEVEL=2\n'), t);
    expect(await started()).toBe(after);
  });
});
