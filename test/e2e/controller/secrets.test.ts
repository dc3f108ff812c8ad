/**
 * secrets/*.age in a real controller: the gate decrypts each revision with `ageIdentityFile`, the
 * host gets the repository's value (in its secret file and in the files using it), a new value
 * committed later reaches them in one run, and no value is ever in the controller's log or state.
 */
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { describe, expect, it } from 'vitest';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { encryptSecret } from '../../../manifests/index.js';
import { sshRun } from '../../support/ssh.js';
import { revisionOf, waitForHost, useControllerEnv } from './support.js';

const env = useControllerEnv({ count: 1, name: 'ctl-secrets' });

/** Every file under `root`, read as text. */
async function allText(root: string): Promise<string> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return (await Promise.all(files.map((f) => readFile(f, 'latin1')))).join('\n');
}

/** Encrypts `value` in the work tree (as `drover secrets set` does), commits and pushes. */
async function commitSecret(value: string, files: Record<string, string> = {}): Promise<string> {
  await encryptSecret({ root: env.remote.work, name: 'db_password', value });
  return env.remote.commit(files, `db_password ${value.length} characters`);
}

describe('drover controller with secrets/*.age', () => {
  it('delivers the repository value, follows a new one, and never logs or stores it', async () => {
    const identity = await generateIdentity();
    const keyFile = join(env.dir, 'controller.agekey');
    await writeFile(keyFile, `${identity}\n`, { mode: 0o600 });
    await env.remote.commit({
      'secrets/recipients.txt': `${await identityToRecipient(identity)}\n`,
      'hosts/web1.yaml': stringify({
        address: env.fleet.hosts[0]!.address,
        resources: [
          { kind: 'secret', name: 'db_password' },
          { kind: 'directory', path: '/srv/ctl' },
          { kind: 'file', path: '/srv/ctl/app.conf', content: "password={{ secret('db_password') }}\n" },
        ],
      }),
    }, 'host');
    const first = await commitSecret('Fr0m-the-Repository');
    const stateDir = env.stateDir;
    const ctl = await env.start({ extra: { ageIdentityFile: keyFile } });
    await waitForHost(ctl, 'web1', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(first), 'synced with the secret');
    expect(await sshRun(env.fleet, 'host1', 'stat -c %a /srv/ctl/app.conf; cat /srv/ctl/app.conf /var/lib/drover/secrets/db_password'))
      .toBe('600\npassword=Fr0m-the-Repository\nFr0m-the-Repository\n');

    const second = await commitSecret('N3w-from-the-Repository');
    await waitForHost(ctl, 'web1', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(second), 'synced with the new value');
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/app.conf')).toBe('password=N3w-from-the-Repository\n');

    // Stopped first: what it leaves at rest is what counts, and a scan while it runs races its temp files.
    await ctl.stop();
    const seen = `${JSON.stringify(ctl.events)}\n${ctl.stderr()}\n${await allText(stateDir)}`;
    for (const value of ['Fr0m-the-Repository', 'N3w-from-the-Repository']) {
      expect(seen).not.toContain(value);
      // The snapshot holds only ciphertext.
      expect(await allText(join(stateDir, 'source'))).not.toContain(value);
    }
  });
});
