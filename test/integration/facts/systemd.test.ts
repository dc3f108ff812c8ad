import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeHost } from '../../../controller/facts/observe.js';
import { connectSsh } from '../../../controller/transport/ssh.js';
import type { Transport } from '../../../controller/transport/types.js';
import { startFleet, type Fleet } from '../../fleet/index.js';
import { desiredState, resource } from '../../support/desired.js';
import { fleetSshOptions } from '../transport/fleet-options.js';
import { CountingTransport, setUp } from './support.js';
import { SYSTEMD_SERVICES, SYSTEMD_SETUP } from './systemd-units.js';

describe('observeHost on a systemd fleet host', () => {
  let fleet: Fleet;
  let transport: Transport;

  beforeAll(async () => {
    fleet = await startFleet({ count: 1, systemd: true, name: 'facts-systemd' });
    transport = await connectSsh(fleetSshOptions(fleet, fleet.hosts[0]!));
    await setUp(transport, SYSTEMD_SETUP);
  });
  afterAll(async () => {
    await transport?.close();
    await fleet?.stop();
  });

  it('reports enabled/active of ssh.service and of units the test created, in one run()', async () => {
    const counting = new CountingTransport(transport);
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
    await setUp(transport, 'systemctl stop drover-facts.service');
    const state = await observeHost(desiredState('host1', [resource('service', 'drover-facts', { name: 'drover-facts' })]), transport);
    expect(state.resources['service:drover-facts']).toMatchObject({ enabled: true, active: false, activeState: 'inactive' });
  });
});
