/**
 * drover as a systemd service on a real systemd fleet host: the packed package (`npm pack`) is
 * installed with npm inside host1 (node is the machine's, seen through the host's overlay), with the
 * drover user, /etc/drover (config, key, known_hosts) and deploy/systemd/drover.service.
 * `systemd-analyze verify` is clean there; systemctl starts it; it follows a Git remote served over
 * SSH (host1's sshd) and converges host2 and host3; a commit converges them again; `systemctl stop`
 * is graceful (exit 0, "controller stopped"); a restart keeps every host's status and history.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { startFleet, type Fleet } from '../../fleet/index.js';
import { ROOT } from '../../support/paths.js';
import { poll, PollAborted, type NotYet } from '../../support/poll.js';
import { sshRun } from '../../support/ssh.js';
import { git } from '../../support/git-remote.js';
import { hostFile } from '../controller/support.js';

const run = promisify(execFile);
const UNIT = join(ROOT, 'deploy/systemd/drover.service');
const KEY = '/etc/drover/id_ed25519';
const API_TOKEN = 'tok-e2e-7f3a9c-5d1e0b42';
/** systemctl start, with the service's journal on stderr when it fails. */
const START = 'systemctl start drover || { journalctl -u drover --no-pager -o cat | tail -30 >&2; exit 1; }';

let fleet: Fleet;
let dir: string;
let work: string;
const on = (command: string, stdin?: string | Buffer): Promise<string> => sshRun(fleet, 'host1', command, stdin);

interface ShownHost { host: string; status: string; lastAppliedRevision?: string }
const shownHosts = async (): Promise<ShownHost[]> =>
  (JSON.parse(await on('drover hosts --state-dir /var/lib/drover --output json')) as { hosts: ShownHost[] }).hosts;

/** poll() for `check` (every 250 ms, no limit but the test's own); ends at once, with the service's journal, when the service died. */
function pollService<T>(what: string, check: () => Promise<T | NotYet>): Promise<T> {
  return poll(what, async () => {
    let value: T | NotYet;
    let error: unknown;
    try {
      value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      error = err;
    }
    // Restart=on-failure would hide a crash behind "activating": any restart is a failure here.
    const shown = await on('systemctl show -p ActiveState -p NRestarts drover');
    if (/ActiveState=failed/.test(shown) || !/NRestarts=0\b/.test(shown)) throw new PollAborted(`drover.service failed while waiting for ${what}:\n${await on('journalctl -u drover --no-pager | tail -40')}`);
    if (error) throw error;
    return value;
  }, { everyMs: 250, timeoutMs: Infinity });
}

/** Commits `files` in the work clone and pushes to host1 over SSH; resolves with the commit. */
async function push(files: Record<string, string>, message: string): Promise<string> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(work, path)), { recursive: true });
    await writeFile(join(work, path), text);
  }
  await git(work, 'add', '-A');
  await git(work, 'commit', '-q', '-m', message);
  await git(work, 'push', '-q', 'origin', 'main');
  return (await git(work, 'rev-parse', 'HEAD')).trim();
}

const hostsAt = (text: string): Record<string, string> => ({
  'hosts/app1.yaml': hostFile(fleet.hosts[1]!, `${text}\n`),
  'hosts/app2.yaml': hostFile(fleet.hosts[2]!, `${text}\n`),
});

beforeAll(async () => {
  expect(existsSync(join(ROOT, 'dist/controller/cli/main.js')), 'run `npm run build` first').toBe(true);
  fleet = await startFleet({ count: 3, systemd: true, name: 'deploy-systemd' });
  dir = await mkdtemp(join(tmpdir(), 'drover-deploy-'));
  // The package as users get it: npm pack (dist is built already), installed with npm in the host.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: ROOT });
  const tarball = join(dir, stdout.trim().split('\n').pop()!);
  await on('cat > /root/drover.tgz', await readFile(tarball));
  await on('npm install -g --prefer-offline --no-audit --no-fund --loglevel=error /root/drover.tgz && command -v drover');
  await on('useradd --system --home-dir /var/lib/drover --no-create-home --shell /usr/sbin/nologin drover');
  await on(`install -d -m 0755 /etc/drover && cat > ${KEY} && chown root:drover ${KEY} && chmod 0640 ${KEY}`, await readFile(fleet.clientKeyFile, 'utf8'));
  // A token the way the unit takes them: an EnvironmentFile only root reads, named by apiTokenEnv.
  await on('cat > /etc/drover/drover.env && chmod 0600 /etc/drover/drover.env', `DROVER_API_TOKEN=${API_TOKEN}\n`);
  await on('cat > /etc/drover/known_hosts', await readFile(fleet.knownHostsFile, 'utf8'));
  await on('cat > /etc/systemd/system/drover.service && systemctl daemon-reload', await readFile(UNIT, 'utf8'));
  // The Git server: a bare repository on host1, reached over SSH like any Git host.
  await on('git init -q --bare -b main /srv/git/fleet.git');
  const remote = `ssh://root@${fleet.hosts[0]!.address}/srv/git/fleet.git`;
  await on('cat > /etc/drover/drover.config.yaml', stringify({
    source: { url: remote, branch: 'main', interval: '500ms', auth: { sshKeyFile: KEY, knownHostsFile: '/etc/drover/known_hosts' } },
    listen: `127.0.0.1:${20000 + Math.floor(Math.random() * 20000)}`,
    concurrency: 4, driftInterval: '1h', shutdownGrace: '20s', retry: { baseSeconds: 0.5, maxSeconds: 2 },
    sshKnownHostsFile: '/etc/drover/known_hosts', sshIdentityFiles: [KEY], sshConnectTimeout: '3s', apiTokenEnv: 'DROVER_API_TOKEN',
  }));
  work = join(dir, 'work');
  await git(dir, 'init', '-q', '-b', 'main', work);
  // The test pushes through the fleet's ssh_config alias; the controller uses the address URL.
  await git(work, 'remote', 'add', 'origin', 'host1:/srv/git/fleet.git');
  await git(work, 'config', 'core.sshCommand', `ssh -F ${fleet.sshConfigFile} -o BatchMode=yes`);
}, 300_000);

// A failed test shows the service's journal: the controller's own account of what happened.
afterEach(async (context) => {
  if (context.task.result?.state === 'fail') console.log(await on('journalctl -u drover --no-pager -o cat | tail -40').catch(String));
});

afterAll(async () => {
  await fleet?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('drover.service on a systemd host', () => {
  it('systemd-analyze verify is clean for the installed unit', async () => {
    const { code, output } = await on('systemd-analyze verify /etc/systemd/system/drover.service 2>&1; echo "rc=$?"').then((o) => ({ output: o, code: /rc=(\d+)\s*$/.exec(o)?.[1] }));
    expect(output.replace(/rc=\d+\s*$/, '').trim()).toBe('');
    expect(code).toBe('0');
  });

  it('systemd-analyze security rates the unit OK (exposure below 3.0; the figure is in docs/deploy.md)', async () => {
    const report = await on('systemd-analyze security --no-pager drover.service');
    const overall = /Overall exposure level for drover\.service: ([\d.]+) (\w+)/.exec(report);
    console.log(`systemd-analyze security drover.service: ${overall?.[1]} ${overall?.[2]}`);
    expect(overall?.[2]).toBe('OK');
    expect(Number(overall?.[1])).toBeLessThan(3);
  });

  it('starts with systemctl, follows the Git remote and converges two hosts; a commit converges them again', async () => {
    const first = await push(hostsAt('one'), 'two hosts');
    await on(START);
    expect((await on('systemctl is-active drover')).trim()).toBe('active');
    expect((await on('ps -o user= -p "$(systemctl show -p MainPID --value drover)"')).trim()).toBe('drover');
    const synced = (commit: string) => async (): Promise<ShownHost[] | undefined> => {
      const hosts = await shownHosts();
      return hosts.length === 2 && hosts.every((h) => h.status === 'Synced' && h.lastAppliedRevision === `main@sha1:${commit}`) ? hosts : undefined;
    };
    await pollService('both hosts synced at the first commit', synced(first));
    for (const host of ['host2', 'host3']) expect(await sshRun(fleet, host, 'cat /srv/ctl/managed.txt')).toBe('one\n');
    const second = await push(hostsAt('two'), 'change both');
    await pollService('both hosts synced at the second commit', synced(second));
    for (const host of ['host2', 'host3']) expect(await sshRun(fleet, host, 'cat /srv/ctl/managed.txt')).toBe('two\n');
    // The token came from the EnvironmentFile and is in no log line.
    expect(await on(`journalctl -u drover --no-pager -o cat | grep -c "${API_TOKEN}" || true`)).toMatch(/^0\s*$/);
    // State lives in the StateDirectory, owned by the service user and closed to others.
    expect((await on('stat -c "%U %a" /var/lib/drover')).trim()).toBe('drover 700');
  });

  it('systemctl stop is graceful, and a restart keeps every host\'s status and history', async () => {
    const before = await on('cat /var/lib/drover/hosts/app1.json /var/lib/drover/hosts/app2.json');
    await on('systemctl stop drover');
    const shown = await on('systemctl show drover -p Result -p ExecMainStatus -p ActiveState');
    expect(shown.trim().split('\n').sort()).toEqual(['ActiveState=inactive', 'ExecMainStatus=0', 'Result=success']);
    expect(await on('journalctl -u drover --no-pager -o cat | grep -c "controller stopped"')).toMatch(/^1\s*$/);
    await on(START);
    await pollService('the last good revision restored', async () =>
      (await on('journalctl -u drover --no-pager -o cat')).match(/"msg":"last good revision restored/g)?.length === 1);
    const after = await shownHosts();
    expect(after.map((h) => [h.host, h.status])).toEqual([['app1', 'Synced'], ['app2', 'Synced']]);
    expect(await on('cat /var/lib/drover/hosts/app1.json /var/lib/drover/hosts/app2.json')).toBe(before);
    await on('systemctl stop drover');
  });
});
