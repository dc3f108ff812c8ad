/**
 * secrets/*.age in a real controller: the gate decrypts each revision with `ageIdentityFile`, the
 * host gets the repository's value (in its secret file and in the files using it), a new value
 * committed later reaches them in one run, and no value is ever in the controller's log or state.
 */
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { encryptSecret } from '../../../manifests/index.js';
import { startFleet, type Fleet } from '../../fleet/index.js';
import { sshRun } from '../../support/ssh.js';
import {
  controllerConfig, createRemote, revisionOf, startControllerProcess, tempDir, waitForHost, type ControllerProcess, type GitRemote,
} from './support.js';

let fleet: Fleet;
let remote: GitRemote;
let dir: string;
let ctl: ControllerProcess | undefined;

beforeAll(async () => {
  fleet = await startFleet({ count: 1, name: 'ctl-secrets' });
  remote = await createRemote();
  dir = await tempDir();
});

afterAll(async () => {
  await ctl?.stop();
  await fleet?.stop();
  await remote?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Every file under `root`, read as text. */
async function allText(root: string): Promise<string> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return (await Promise.all(files.map((f) => readFile(f, 'latin1')))).join('\n');
}

/** Encrypts `value` in the work tree (as `drover secrets set` does), commits and pushes. */
async function commitSecret(value: string, files: Record<string, string> = {}): Promise<string> {
  await encryptSecret({ root: remote.work, name: 'db_password', value });
  return remote.commit(files, `db_password ${value.length} characters`);
}

describe('drover controller with secrets/*.age', () => {
  it('delivers the repository value, follows a new one, and never logs or stores it', async () => {
    const identity = await generateIdentity();
    const keyFile = join(dir, 'controller.agekey');
    await writeFile(keyFile, `${identity}\n`, { mode: 0o600 });
    await remote.commit({
      'secrets/recipients.txt': `${await identityToRecipient(identity)}\n`,
      'hosts/web1.yaml': stringify({
        address: fleet.hosts[0]!.address,
        resources: [
          { kind: 'secret', name: 'db_password' },
          { kind: 'directory', path: '/srv/ctl' },
          { kind: 'file', path: '/srv/ctl/app.conf', content: "password={{ secret('db_password') }}\n" },
        ],
      }),
    }, 'host');
    const first = await commitSecret('Fr0m-the-Repository');
    const stateDir = join(dir, 'state');
    ctl = await startControllerProcess({ dir, stateDir, config: controllerConfig({ remote, fleet, stateDir, extra: { ageIdentityFile: keyFile } }) });
    await waitForHost(ctl, 'web1', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(first), 'synced with the secret');
    expect(await sshRun(fleet, 'host1', 'stat -c %a /srv/ctl/app.conf; cat /srv/ctl/app.conf /var/lib/drover/secrets/db_password'))
      .toBe('600\npassword=Fr0m-the-Repository\nFr0m-the-Repository\n');

    const second = await commitSecret('N3w-from-the-Repository');
    await waitForHost(ctl, 'web1', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(second), 'synced with the new value');
    expect(await sshRun(fleet, 'host1', 'cat /srv/ctl/app.conf')).toBe('password=N3w-from-the-Repository\n');

    const seen = `${JSON.stringify(ctl.events)}\n${ctl.stderr()}\n${await allText(stateDir)}`;
    for (const value of ['Fr0m-the-Repository', 'N3w-from-the-Repository']) {
      expect(seen).not.toContain(value);
      // The snapshot holds only ciphertext.
      expect(await allText(join(stateDir, 'source'))).not.toContain(value);
    }
  });
});
