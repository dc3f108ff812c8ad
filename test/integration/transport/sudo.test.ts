/**
 * A non-root SSH user with sudo: every command (and upload, and the one-round-trip probe) runs as
 * root through `sudo -n`, so root-only files are observed and written. Needs sudo on the machine
 * (the fleet hosts share its /usr); .ci/run installs it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { connectSsh } from '../../../controller/transport/ssh.js';
import { observeHost } from '../../../controller/facts/observe.js';
import { desiredState, resource } from '../../support/desired.js';
import { useFleetHost } from '../../support/fleet.js';
import { setUp } from '../facts/support.js';

beforeAll(() => {
  if (!existsSync('/usr/bin/sudo')) throw new Error('sudo is not installed on this machine: apt-get install -y sudo (.ci/run does)');
});
const host = useFleetHost({ name: 'sudo' });

beforeAll(async () => {
  await setUp(host.ssh, [
    'useradd --create-home --shell /bin/sh deploy && usermod -p "*" deploy', // "*": no password, but not locked (sshd refuses locked accounts)
    "echo 'deploy ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/deploy && chmod 0440 /etc/sudoers.d/deploy",
    'useradd --create-home --shell /bin/sh nosudo && usermod -p "*" nosudo',
    'mkdir -p /root/private && chmod 0700 /root/private && printf "top secret\\n" > /root/private/f && chmod 0600 /root/private/f',
  ].join(' && '));
});

describe('a non-root user with sudo', () => {
  it('runs commands as root through sudo -n, and as itself without sudo', async () => {
    const withSudo = await connectSsh(host.sshOptions(0, { user: 'deploy', sudo: true }));
    const plain = await connectSsh(host.sshOptions(0, { user: 'deploy' }));
    try {
      expect((await withSudo.run('id -un')).stdout.toString()).toBe('root\n');
      expect((await plain.run('id -un')).stdout.toString()).toBe('deploy\n');
      const quoted = await withSudo.run(`printf '%s' "it's \\$HOME"`);
      expect(quoted.stdout.toString()).toBe("it's $HOME");
    } finally {
      await withSudo.close();
      await plain.close();
    }
  });

  it('uploads root-owned files atomically through sudo', async () => {
    const t = await connectSsh(host.sshOptions(0, { user: 'deploy', sudo: true }));
    try {
      await t.upload('/etc/drover-sudo-test.conf', Buffer.from('written via sudo\n'), { mode: '0640', owner: 'root', group: 'root' });
      const stat = await host.ssh.run('stat -c "%a %U %G" /etc/drover-sudo-test.conf && cat /etc/drover-sudo-test.conf');
      expect(stat.stdout.toString()).toBe('640 root root\nwritten via sudo\n');
    } finally {
      await t.close();
    }
  });

  it('observes root-only files in one probe', async () => {
    const t = await connectSsh(host.sshOptions(0, { user: 'deploy', sudo: true }));
    try {
      const desired = desiredState('host1', [resource('file', '/root/private/f', { path: '/root/private/f' })]);
      const observed = await observeHost(desired, t);
      expect(observed.resources['file:/root/private/f']).toMatchObject({ kind: 'file', exists: true, mode: '0600', owner: 'root' });
    } finally {
      await t.close();
    }
  });

  it('fails clearly when the user may not sudo', async () => {
    const t = await connectSsh(host.sshOptions(0, { user: 'nosudo', sudo: true }));
    try {
      const result = await t.run('id -un');
      expect(result.code).not.toBe(0);
      expect(result.stderr.toString()).toMatch(/sudo/);
    } finally {
      await t.close();
    }
  });
});
