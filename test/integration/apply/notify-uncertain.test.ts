/**
 * Notifications from steps that decide on the host: a guarded command whose guard was read before
 * earlier changes of the run is "may change" in the plan; what it notifies (a refreshOnly command, a
 * service) runs on the host only when the command really ran and recorded the notification.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh } from '../../../controller/transport/ssh.js';
import type { Transport } from '../../../controller/transport/types.js';
import { startFleet, type Fleet } from '../../fleet/index.js';
import { desiredState, file, resource } from '../../support/desired.js';
import { fleetSshOptions } from '../transport/fleet-options.js';
import { converge, sh, statuses } from './support.js';

let fleet: Fleet;
let t: Transport;

beforeAll(async () => {
  fleet = await startFleet({ count: 1, name: 'apply-notify' });
  t = await connectSsh(fleetSshOptions(fleet, fleet.hosts[0]!));
});

afterAll(async () => {
  await t?.close();
  await fleet?.stop();
});

/** requirements.txt, a pip-like command guarded by its checksum, and a refreshOnly command it notifies. */
const state = (requirements: string, other: string) => desiredState('host1', [
  resource('directory', '/srv/n', { path: '/srv/n' }),
  file('/srv/n/requirements.txt', requirements),
  file('/srv/n/other.txt', other),
  resource('command', 'install', {
    name: 'install', cwd: '/srv/n', run: 'echo run >> installs && sha256sum requirements.txt > stamp', unless: 'sha256sum --check --status stamp',
  }, { notify: ['command:refresh'], dependsOn: ['file:/srv/n/requirements.txt', 'file:/srv/n/other.txt'] }),
  resource('command', 'refresh', { name: 'refresh', cwd: '/srv/n', run: 'echo run >> refreshes', refreshOnly: true }, { dependsOn: ['command:install'] }),
]);

const count = async (name: string): Promise<number> => Number((await sh(t, `wc -l < /srv/n/${name}`)).trim());

describe('a notification from a step that decides on the host', () => {
  it('fires only when that step ran', async () => {
    const first = await converge(state('a\n', '1\n'), t);
    expect(first.result.ok).toBe(true);
    expect([await count('installs'), await count('refreshes')]).toEqual([1, 1]);

    // Another file changes: the guard was read before that change, so both commands "may change";
    // on the host the checksum still matches, the install is skipped, and nothing is notified.
    const unrelated = await converge(state('a\n', '2\n'), t);
    expect(unrelated.plan.steps.find((s) => s.resource === 'command:refresh')?.mayChange).toMatch(/runs if command:install change/);
    expect(statuses(unrelated.result)).toMatchObject({ install_command_install: 'unchanged', install_command_refresh: 'unchanged' });
    expect([await count('installs'), await count('refreshes')]).toEqual([1, 1]);

    // requirements.txt changes: the guard fails on the host, the install runs and notifies the refresh.
    const related = await converge(state('b\n', '2\n'), t);
    expect(statuses(related.result)).toMatchObject({ install_command_install: 'changed', install_command_refresh: 'changed' });
    expect([await count('installs'), await count('refreshes')]).toEqual([2, 2]);
    expect(await sh(t, 'cat /var/lib/drover/pending 2>/dev/null || true')).toBe('');
  });
});
