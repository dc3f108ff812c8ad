/**
 * Services on a host running systemd: a unit and its config written by drover, the service enabled and
 * started, and restarted by its handler only when a notifying file changed.
 */
import { describe, expect, it } from 'vitest';
import { verifyConverged } from '../../../controller/apply/verify.js';
import { desiredState, file, resource } from '../../support/desired.js';
import { useFleetHost } from '../../support/fleet.js';
import { converge, sh, statuses } from './support.js';

const host = useFleetHost({ systemd: true, name: 'apply-systemd' });

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
  return sh(host.ssh, 'systemctl show -p MainPID -p ActiveEnterTimestampMonotonic drover-demo.service');
}

describe('a systemd service', () => {
  it('is installed, enabled and started from scratch (daemon-reload for the new unit)', async () => {
    const { result } = await converge(desired('LEVEL=1\n'), host.ssh);
    expect(result.ok).toBe(true);
    expect(statuses(result)).toEqual({ regen_etc_systemd_system_drover_demo_service: 'changed', regen_etc_drover_demo_conf: 'changed', install_service_drover_demo: 'changed', restart_drover_demo: 'changed' });
    expect(await sh(host.ssh, 'systemctl is-enabled drover-demo.service; systemctl is-active drover-demo.service')).toBe('enabled\nactive\n');
    expect((await verifyConverged(desired('LEVEL=1\n'), host.ssh)).inSync).toBe(true);
  });

  it('is not restarted when nothing changed', async () => {
    const before = await started();
    const { result } = await converge(desired('LEVEL=1\n'), host.ssh);
    expect(result.roundTrips).toBe(0);
    expect(await started()).toBe(before);
  });

  it('is restarted once when its config changed, and then left alone', async () => {
    const before = await started();
    const { result } = await converge(desired('LEVEL=2\n'), host.ssh);
    expect(statuses(result)).toMatchObject({ backup_etc_drover_demo_conf: 'changed', regen_etc_drover_demo_conf: 'changed', restart_drover_demo: 'changed' });
    const after = await started();
    expect(after).not.toBe(before);
    expect(await sh(host.ssh, 'tr "\\0" "\\n" < /proc/$(systemctl show -p MainPID --value drover-demo.service)/environ | grep LEVEL')).toBe('LEVEL=2\n');
    await converge(desired('LEVEL=2\n'), host.ssh);
    expect(await started()).toBe(after);
  });
});
