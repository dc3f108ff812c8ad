/**
 * Notifications from steps that decide on the host: a guarded command whose guard was read before
 * earlier changes of the run is "may change" in the plan; what it notifies (a refreshOnly command, a
 * service) runs on the host only when the command really ran and recorded the notification.
 */
import { describe, expect, it } from 'vitest';
import { desiredState, file, resource } from '../../support/desired.js';
import { useFleetHost } from '../../support/fleet.js';
import { converge, sh, statuses } from './support.js';

const host = useFleetHost({ name: 'apply-notify' });

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

const count = async (name: string): Promise<number> => Number((await sh(host.ssh, `wc -l < /srv/n/${name}`)).trim());

describe('a notification from a step that decides on the host', () => {
  it('fires only when that step ran', async () => {
    const first = await converge(state('a\n', '1\n'), host.ssh);
    expect(first.result.ok).toBe(true);
    expect([await count('installs'), await count('refreshes')]).toEqual([1, 1]);

    // Another file changes: the guard was read before that change, so both commands "may change";
    // on the host the checksum still matches, the install is skipped, and nothing is notified.
    const unrelated = await converge(state('a\n', '2\n'), host.ssh);
    expect(unrelated.plan.steps.find((s) => s.resource === 'command:refresh')?.mayChange).toMatch(/runs if command:install change/);
    expect(statuses(unrelated.result)).toMatchObject({ install_command_install: 'unchanged', install_command_refresh: 'unchanged' });
    expect([await count('installs'), await count('refreshes')]).toEqual([1, 1]);

    // requirements.txt changes: the guard fails on the host, the install runs and notifies the refresh.
    const related = await converge(state('b\n', '2\n'), host.ssh);
    expect(statuses(related.result)).toMatchObject({ install_command_install: 'changed', install_command_refresh: 'changed' });
    expect([await count('installs'), await count('refreshes')]).toEqual([2, 2]);
    expect(await sh(host.ssh, 'cat /var/lib/drover/pending 2>/dev/null || true')).toBe('');
  });
});
