/**
 * The demo's world: a temp dir holding a bare Git remote (the "Git server") and a working clone
 * seeded from examples/quickstart with web1..web3 pointed at the fleet hosts, the controller's
 * config, API token and webhook secret (random, mode 0600), and its state directory.
 */
import { randomBytes } from 'node:crypto';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Fleet } from '../index.js';
import { ROOT } from '../../integration/cli/run-cli.js';
import { patchHostFile } from '../../support/example-repo.js';
import { createRemote, git, type GitRemote } from '../../support/git-remote.js';

/** Everything the demo created on disk. */
export interface DemoWorld {
  remote: GitRemote;
  /** The temp dir holding all of it (removed by cleanup). */
  dir: string;
  configFile: string;
  tokenFile: string;
  secretFile: string;
  secret: string;
  stateDir: string;
  hosts: string[];
}

/** How often the controller checks every host for drift in the demo (a server would use minutes). */
export const DEMO_DRIFT_INTERVAL = '3s';

async function seedFromQuickstart(remote: GitRemote, fleet: Fleet): Promise<string[]> {
  await cp(join(ROOT, 'examples/quickstart'), remote.work, { recursive: true });
  const template = await readFile(join(remote.work, 'hosts/web1.yaml'), 'utf8');
  const hosts = fleet.hosts.map((_h, i) => `web${i + 1}`);
  for (const [i, name] of hosts.entries()) {
    await writeFile(join(remote.work, 'hosts', `${name}.yaml`), template.replaceAll('web1', name));
    await patchHostFile(remote.work, name, { address: fleet.hosts[i]!.address });
  }
  await remote.commit({}, 'quickstart on three hosts');
  // The commands the demo prints (git commit -am, git push) must work as typed in the clone, on a
  // machine whose git knows no user yet.
  await git(remote.work, 'branch', '-q', '--set-upstream-to=origin/main');
  await git(remote.work, 'config', 'user.name', 'drover demo');
  await git(remote.work, 'config', 'user.email', 'demo@drover.invalid');
  return hosts;
}

function controllerConfig(world: Omit<DemoWorld, 'configFile' | 'hosts'>, fleet: Fleet): string {
  return stringify({
    source: { url: world.remote.bare, branch: 'main', interval: '10m' },
    stateDir: world.stateDir,
    listen: '127.0.0.1:0',
    apiTokenFile: world.tokenFile,
    webhookSecretFile: world.secretFile,
    selfHeal: true,
    driftInterval: DEMO_DRIFT_INTERVAL,
    sshKnownHostsFile: fleet.knownHostsFile,
    sshIdentityFiles: [fleet.clientKeyFile],
    logLevel: 'info',
  });
}

/** Creates the remote, the clone, the controller's files; throws (having removed what it made) on failure. */
export async function createWorld(fleet: Fleet): Promise<DemoWorld> {
  const remote = await createRemote();
  try {
    const hosts = await seedFromQuickstart(remote, fleet);
    const secret = randomBytes(24).toString('hex');
    const base = {
      remote, dir: remote.dir, secret,
      tokenFile: join(remote.dir, 'api-token'), secretFile: join(remote.dir, 'webhook-secret'), stateDir: join(remote.dir, 'state'),
    };
    await writeFile(base.tokenFile, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
    await writeFile(base.secretFile, `${secret}\n`, { mode: 0o600 });
    const configFile = join(remote.dir, 'drover.config.yaml');
    await writeFile(configFile, controllerConfig(base, fleet));
    return { ...base, configFile, hosts };
  } catch (err) {
    await remote.cleanup();
    throw err;
  }
}

/** The commit at the tip of the clone. */
export async function headCommit(world: DemoWorld): Promise<string> {
  return (await git(world.remote.work, 'rev-parse', 'HEAD')).trim();
}

/** Removes everything createWorld made (idempotent). */
export async function removeWorld(world: DemoWorld | undefined): Promise<void> {
  if (world) await rm(world.dir, { recursive: true, force: true });
}
