/**
 * A connection cut while the apply archive is still on its way: the host's `tar` sees the end of its
 * input early. Whether the archive stops mid-file or exactly between two entries, nothing runs (the
 * script is the archive's last entry), no file changes, and the run's private dir is gone.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { observeHost } from '../../../controller/facts/observe.js';
import { runCommand } from '../../../controller/apply/execute.js';
import { buildHostScript } from '../../../controller/apply/script.js';
import { buildTar } from '../../../controller/apply/tar.js';
import { planHost } from '../../../controller/plan/plan-host.js';
import { desiredState, file, resource } from '../../support/desired.js';
import { useFleetHost } from '../../support/fleet.js';
import { converge, sh } from './support.js';

const host = useFleetHost({ name: 'apply-cut' });

const FILES = 6;
const state = (version: string) => desiredState('host1', [
  resource('directory', '/srv/cut', { path: '/srv/cut' }),
  ...Array.from({ length: FILES }, (_, i) => file(`/srv/cut/f${i}.txt`, `${version} ${i}\n`.repeat(2000))),
]);

describe('an apply archive cut short', () => {
  it('runs nothing and changes nothing, whether cut mid-file or between entries', async () => {
    expect((await converge(state('old'), host.ssh)).result.ok).toBe(true);
    const before = await sh(host.ssh, 'sha256sum /srv/cut/*');

    const desired = state('new');
    const observed = await observeHost(desired, host.ssh);
    const token = `drover${randomBytes(12).toString('hex')}`;
    const built = buildHostScript({ desired, observed, steps: planHost(desired, observed).steps, token });
    expect(built.files.at(-1)?.name).toBe('run.sh');
    const tar = buildTar(built.files);
    const entrySize = 512 + Math.ceil(built.files[0]!.content.length / 512) * 512;
    const cuts = { 'mid-file': entrySize + 700, 'between entries': entrySize * 3, 'before the script': tar.length - 1024 - 512 - Math.ceil(built.files.at(-1)!.content.length / 512) * 512 };

    for (const [where, at] of Object.entries(cuts)) {
      const result = await host.ssh.run(runCommand(token), { stdin: tar.subarray(0, at) });
      expect(result.code, `${where}: exit status`).not.toBe(0);
      expect(await sh(host.ssh, 'sha256sum /srv/cut/*'), where).toBe(before);
      expect(await sh(host.ssh, 'ls -A /var/lib/drover | grep -c "^\\.run-" || true'), where).toBe('0\n');
      expect(await sh(host.ssh, 'find /srv/cut -name ".drover-tmp*"'), where).toBe('');
    }
  });
});
