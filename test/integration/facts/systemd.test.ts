import { beforeAll, describe, expect, it } from 'vitest';
import { observeHost } from '../../../controller/facts/observe.js';
import { desiredState, resource } from '../../support/desired.js';
import { useFleetHost } from '../../support/fleet.js';
import { CountingTransport, setUp } from './support.js';
import { SYSTEMD_SERVICES, SYSTEMD_SETUP } from './systemd-units.js';

describe('observeHost on a systemd fleet host', () => {
  const host = useFleetHost({ systemd: true, name: 'facts-systemd' });

  beforeAll(async () => {
    await setUp(host.ssh, SYSTEMD_SETUP);
  });

  it('reports enabled/active of ssh.service and of units the test created, in one run()', async () => {
    const counting = new CountingTransport(host.ssh);
    const resources = SYSTEMD_SERVICES.map((name) => resource('service', name, { name, enabled: true, state: 'running' }));
    const state = await observeHost(desiredState('host1', resources), counting);
    expect(counting.runs).toHaveLength(1);
    expect(state.platform.initSystem).toBe('systemd');
    const live = { kind: 'service', manager: 'systemd', live: true };
    expect(state.resources).toEqual({
      'service:ssh': { ...live, known: true, enabled: true, active: true, unitFileState: 'enabled', activeState: 'active' },
      'service:drover-facts': { ...live, known: true, enabled: true, active: true, unitFileState: 'enabled', activeState: 'active' },
      'service:drover-idle': { ...live, known: true, enabled: false, active: false, unitFileState: 'disabled', activeState: 'inactive' },
      'service:drover-masked': { ...live, known: true, enabled: false, active: false, unitFileState: 'masked', activeState: 'inactive' },
      'service:nosuch': { ...live, known: false, enabled: false, active: false, unitFileState: '', activeState: 'inactive' },
      'service:ssh.socket': { ...live, known: true, enabled: false, active: false, unitFileState: 'disabled', activeState: 'inactive' },
    });
  });

  it('sees a unit stopped after the first observation', async () => {
    await setUp(host.ssh, 'systemctl stop drover-facts.service');
    const state = await observeHost(desiredState('host1', [resource('service', 'drover-facts', { name: 'drover-facts' })]), host.ssh);
    expect(state.resources['service:drover-facts']).toMatchObject({ enabled: true, active: false, activeState: 'inactive' });
  });
});
