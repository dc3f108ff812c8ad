/**
 * Packages through apt on a real host: every install of a run in ONE apt-get call (local .debs served
 * by a file: repository, plus one small real package from Debian's mirrors), removals likewise,
 * `apt-get update` only when the lists are missing or lack a package.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyConverged } from '../../../controller/apply/verify.js';
import { buildDeb } from '../../support/debs.js';
import { desiredState, resource } from '../../support/desired.js';
import { useFleetHost } from '../../support/fleet.js';
import { converge, setUpLocalRepo, sh, statuses } from './support.js';

const host = useFleetHost({ name: 'apply-packages' });

beforeAll(async () => {
  await setUpLocalRepo(host.ssh, { a: buildDeb('drover-pkg-a', '1.0-1'), b: buildDeb('drover-pkg-b', '2.0-1') });
});

const pkg = (name: string, spec: Record<string, unknown> = {}) => resource('package', name, { name, ...spec });

/** apt-get command lines of this host's history, in order. */
async function aptCommands(): Promise<string[]> {
  const log = await sh(host.ssh, 'cat /var/log/apt/history.log 2>/dev/null || :');
  return log.split('\n').filter((l) => l.startsWith('Commandline: ')).map((l) => l.slice('Commandline: '.length));
}

describe('packages', () => {
  it('installs every package of the run in one apt-get call, a real one from Debian included', async () => {
    const desired = desiredState('host1', [pkg('drover-pkg-a'), pkg('drover-pkg-b', { version: '2.0' }), pkg('tree')]);
    const before = (await aptCommands()).length;
    const { result } = await converge(desired, host.ssh);
    expect(statuses(result)).toEqual({ aptget_drover_pkg_a: 'changed', aptget_drover_pkg_b: 'changed', aptget_tree: 'changed' });
    const commands = (await aptCommands()).slice(before);
    expect(commands).toEqual([expect.stringMatching(/^apt-get .*install --no-install-recommends --allow-downgrades drover-pkg-a drover-pkg-b=2\.0\* tree$/)]);
    expect(await sh(host.ssh, 'tree -d /srv/drover-repo | tail -n 1')).toBe('0 directories\n');
    expect((await verifyConverged(desired, host.ssh)).inSync).toBe(true);
  });

  it('updates the lists and retries when the lists lack a package', async () => {
    await host.ssh.upload('/srv/drover-repo/c.deb', buildDeb('drover-pkg-c', '1.0-1'), { mode: '0644' });
    await sh(host.ssh, 'cd /srv/drover-repo && dpkg-scanpackages -m . /dev/null 2>/dev/null > Packages && mv /etc/apt/sources.list.d/debian.sources /root/');
    const { result } = await converge(desiredState('host1', [pkg('drover-pkg-c')]), host.ssh);
    expect(result.ok).toBe(true);
    expect(await sh(host.ssh, "dpkg-query -W -f '${Version}' drover-pkg-c")).toBe('1.0-1');
    // The local list was refreshed by apply (lists may be stored compressed: read them through apt).
    expect(await sh(host.ssh, '/usr/lib/apt/apt-helper cat-file /var/lib/apt/lists/*drover-repo*Packages* | grep -c "^Package: drover-pkg-c$"')).toBe('1\n');
  });

  it('updates missing lists before installing', async () => {
    await host.ssh.upload('/srv/drover-repo/d.deb', buildDeb('drover-pkg-d', '1.0-1'), { mode: '0644' });
    await sh(host.ssh, 'cd /srv/drover-repo && dpkg-scanpackages -m . /dev/null 2>/dev/null > Packages && rm -rf /var/lib/apt/lists/*');
    const { result } = await converge(desiredState('host1', [pkg('drover-pkg-d')]), host.ssh);
    expect(result.ok).toBe(true);
    expect(await sh(host.ssh, 'ls /var/lib/apt/lists | grep -c drover-repo')).not.toBe('0\n');
  });

  it('removes every absent package in one apt-get call', async () => {
    const before = (await aptCommands()).length;
    const desired = desiredState('host1', [pkg('drover-pkg-a', { state: 'absent' }), pkg('drover-pkg-b', { state: 'absent' }), pkg('drover-pkg-c')]);
    const { result } = await converge(desired, host.ssh);
    expect(statuses(result)).toEqual({ aptget_drover_pkg_a: 'changed', aptget_drover_pkg_b: 'changed', aptget_drover_pkg_c: 'unchanged' });
    expect((await aptCommands()).slice(before)).toEqual([expect.stringMatching(/^apt-get .*remove drover-pkg-a drover-pkg-b$/)]);
    expect((await verifyConverged(desired, host.ssh)).inSync).toBe(true);
  });
});
