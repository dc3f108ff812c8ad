/**
 * The container image really builds here, without any container registry: deploy/container/
 * build-offline.sh makes a Node 20 base from Debian's packages (debootstrap) and this machine's node,
 * and buildah (in a debootstrapped chroot, nothing installed on the machine) builds
 * deploy/container/Containerfile from the committed files. Then, in the image: drover runs as user
 * 10001 under tini, with git and ssh, a HEALTHCHECK on /readyz and the state volume.
 * Needs root, network to Debian's and npm's registries, and debootstrap (`apt-get install debootstrap`,
 * or DEBOOTSTRAP/DEBOOTSTRAP_DIR pointing at its files). Takes minutes; the chroots are kept in
 * DROVER_IMAGE_WORK (/var/tmp/drover-image) for the next run.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ROOT } from '../../integration/cli/run-cli.js';

const run = promisify(execFile);

describe('deploy/container/Containerfile', () => {
  it('builds with buildah from Debian packages, and the image runs drover as a non-root user under tini', async () => {
    const work = process.env.DROVER_IMAGE_WORK ?? '/var/tmp/drover-image';
    await run('mkdir', ['-p', work]);
    const { stdout } = await run(join(ROOT, 'deploy/container/build-offline.sh'), [work, ROOT], { maxBuffer: 64 << 20, timeout: 30 * 60_000 });
    const config = stdout.split('\n').find((l) => l.startsWith('user='));
    console.log(config);
    expect(config).toMatch(/^user=10001:10001 entrypoint=\[\/usr\/bin\/tini -- drover\] cmd=\[controller --config \/etc\/drover\/config\/drover\.config\.yaml\] volumes=map\[\/var\/lib\/drover:\{\}\] /);
    expect(config).toMatch(/ env=\[[^\]]*DROVER_HEALTH_URL=http:\/\/127\.0\.0\.1:8080\/readyz[^\]]*\] healthcheck=\[CMD node -e fetch\(process\.env\.DROVER_HEALTH_URL\)/);
    const after = stdout.slice(stdout.indexOf(config!) + config!.length).trim().split('\n');
    expect(after.slice(0, 3)).toEqual(['0.1.0', '10001', expect.stringMatching(/^git version /)]);
    expect(after.slice(3)).toEqual([expect.stringMatching(/^OpenSSH_/), 'tini']);
  }, 40 * 60_000);
});
