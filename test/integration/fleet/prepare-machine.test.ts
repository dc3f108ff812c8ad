/**
 * The fresh-machine check: test/fleet/prepare-machine.sh (what `npm run demo` calls with --demo, and
 * `npm test` and .ci/run without) on machine states like a brand-new one, each inside a fleet host (an
 * overlay of this machine, so nothing it installs reaches the machine). Packages come from the
 * machine's apt lists and /var/cache/apt/archives (.ci/run pre-downloads), so no network is needed.
 * The hosts do not see this machine's /tmp, where the checkout may be: the script (and for the demo,
 * its entry file and tsx) is copied into each host over SSH.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-cli.js';
import { startFleet, type Fleet } from '../../fleet/index.js';
import { tcpListeners, type TcpListener } from '../../fleet/listeners.js';
import { copyToHost, sshRun } from '../../support/ssh.js';

/** Where each host gets the parts of this checkout it runs (same layout). */
const CHECKOUT = '/opt/drover-checkout';
const SCRIPT_FILE = 'test/fleet/prepare-machine.sh';
const SCRIPT = `${CHECKOUT}/${SCRIPT_FILE}`;
/** What `npm run demo` needs besides the script (and tsx) to get as far as its refusal: its entry and the two files that loads first. */
const DEMO_ENTRY = ['package.json', 'test/fleet/demo.ts', 'test/fleet/demo/say.ts', 'test/support/paths.ts'];
/** One line per package: `name status` (`ii` installed, `un` otherwise, also when dpkg forgot the package). */
const PACKAGES = "for p in openssh-server curl debootstrap; do s=$(dpkg-query -W -f '${db:Status-Abbrev}' $p 2>/dev/null | tr -d ' '); printf '%s %s\\n' $p \"${s:-un}\"; done";
/** Every package's name, version and state: equal before and after means apt changed nothing. */
const DPKG_STATE = "dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev}\\n' | md5sum";
const NOBODY = 'setpriv --reuid=65534 --regid=65534 --clear-groups --reset-env';

/** Runs a multi-line script on a host as one SSH session (a purged sshd refuses new sessions until reinstalled). */
async function session(fleet: Fleet, host: string, lines: string[]): Promise<Record<string, string>> {
  const out = await sshRun(fleet, host, lines.join('\n'));
  return parseMarked(out);
}

/** Output lines `@key value` as a record (a key repeated keeps its lines joined by \n). */
function parseMarked(out: string): Record<string, string> {
  const marked: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const match = /^@(\S+) ?(.*)$/.exec(line);
    if (match) marked[match[1]!] = marked[match[1]!] === undefined ? match[2]! : `${marked[match[1]!]}\n${match[2]}`;
  }
  return marked;
}

/** Runs `command`, then prints `@exit N`, `@out LINE` and `@err LINE` markers for its exit code and output. */
function captured(command: string): string[] {
  return [
    `${command} >/tmp/prep.out 2>/tmp/prep.err; echo "@exit $?"`,
    "sed 's/^/@out /' /tmp/prep.out; sed 's/^/@err /' /tmp/prep.err",
  ];
}

/** `name` and the packages it needs, as installed in node_modules (with the optional ones present). */
function installedClosure(name: string, found = new Set<string>()): Set<string> {
  const manifest = join(ROOT, 'node_modules', name, 'package.json');
  if (found.has(name) || !existsSync(manifest)) return found;
  found.add(name);
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: object; optionalDependencies?: object };
  for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) installedClosure(dep, found);
  return found;
}

describe('prepare-machine.sh on a fresh machine (inside fleet hosts)', () => {
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await startFleet({ count: 3, name: 'fresh-machine' });
    // The second host runs the demo as well.
    const tsx = [...installedClosure('tsx')].map((name) => `node_modules/${name}`);
    await Promise.all(fleet.hosts.map((h, i) => copyToHost(fleet, h.name, ROOT, i === 1 ? [SCRIPT_FILE, ...DEMO_ENTRY, ...tsx] : [SCRIPT_FILE], CHECKOUT)));
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it('as root on Debian, --demo installs what the demo lacks (only that), says so in one line, and leaves sshd disabled and off *:22', async () => {
    const host = fleet.hosts[0]!;
    const result = await session(fleet, host.name, [
      'set -u',
      // Make the host a fresh machine: no openssh-server, no curl, no debootstrap, no ssh.service
      // enablement, and no policy-rc.d (the fleet removes the machine's), so only the script's own guard
      // keeps apt from starting sshd. The purge itself must stop nothing: a policy-rc.d just for it.
      "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d",
      'apt-get purge -y -q openssh-server curl debootstrap >/dev/null 2>&1; echo "@purge $?"',
      'rm -f /usr/sbin/policy-rc.d /etc/systemd/system/multi-user.target.wants/ssh.service /etc/systemd/system/sshd.service',
      // Like a SysV-init machine in runlevel 2: invoke-rc.d starts what rc2.d links (in a bare
      // container it starts nothing, runlevel "unknown", and the guard would go untested).
      "rm -f /usr/sbin/runlevel && printf '#!/bin/sh\\necho N 2\\n' > /usr/sbin/runlevel && chmod 755 /usr/sbin/runlevel",
      // Had the guard failed, the packaged sshd would listen here (a port this test watches), not on
      // *:22; its own pid file keeps the script's later `/etc/init.d/ssh stop` from hiding that.
      `mkdir -p /etc/ssh/sshd_config.d && printf 'ListenAddress ${host.address}:2222\\nPidFile /run/drover-test-sshd.pid\\n' > /etc/ssh/sshd_config.d/zz-drover-test.conf`,
      `${PACKAGES} | sed 's/^/@before /'`,
      ...captured(`bash ${SCRIPT} --demo`),
      `${PACKAGES} | sed 's/^/@after /'`,
      'echo "@enabled $(systemctl is-enabled ssh.service 2>&1)"',
      'echo "@policy $(ls /usr/sbin/policy-rc.d 2>&1 >/dev/null | grep -c "No such file")"',
    ]);
    expect(result.purge).toBe('0');
    expect(result.before).toBe('openssh-server un\ncurl un\ndebootstrap un');
    expect(result.err ?? '').toBe('');
    expect(result.exit).toBe('0');
    expect(result.out!.split('\n')).toEqual([
      "prepare-machine: installing curl openssh-server from the distribution's packages, for drover's demo (curl: HTTP checks; openssh-server: the test hosts' sshd)",
      "prepare-machine: this machine is ready for drover's demo",
    ]);
    // debootstrap is for the tests only (the refusal below, without --demo, names it).
    expect(result.after).toBe('openssh-server ii\ncurl ii\ndebootstrap un');
    expect(result.enabled).toBe('disabled');
    expect(result.policy).toBe('1');
    const wildcard22 = (l: TcpListener): boolean => l.port === 22 && (l.address === '0.0.0.0' || l.address === '::');
    expect(tcpListeners().filter((l) => wildcard22(l) || (l.port === 2222 && l.address === host.address))).toEqual([]);
    // The reinstalled sshd binary serves the host's own sshd again.
    expect(await sshRun(fleet, host.name, 'hostname')).toBe(`${host.name}\n`);
  }, 240_000);

  it('not root: names the missing packages (--demo: the demo\'s only) and how to install them, exits 1, changes nothing; the demo stops there too', async () => {
    const result = await session(fleet, fleet.hosts[1]!.name, [
      'apt-get purge -y -q curl debootstrap >/dev/null 2>&1; echo "@purge $?"',
      `echo "@dpkg $(${DPKG_STATE})"`,
      ...captured(`${NOBODY} bash ${SCRIPT} --demo`),
      `cd ${CHECKOUT} && ${NOBODY} env HOME=/tmp ${process.execPath} --import tsx test/fleet/demo.ts >/tmp/demo.out 2>/tmp/demo.err; echo "@demoexit $?"`,
      "sed 's/^/@demoerr /' /tmp/demo.err; sed 's/^/@demoout /' /tmp/demo.out",
      `echo "@dpkg $(${DPKG_STATE})"`,
      'echo "@shm $(ls -A /dev/shm | wc -l)"',
    ]);
    expect(result.purge).toBe('0');
    expect(result.exit).toBe('1');
    expect(result.out).toBeUndefined();
    expect(result.err).toContain("drover's demo needs these packages, which are missing: curl (curl: HTTP checks).");
    expect(result.err).toMatch(/apt-get install -y --no-install-recommends curl$/m);
    expect(result.err).toContain('Run this as root');
    expect(result.demoexit).toBe('1');
    expect(result.demoerr).toContain('missing: curl (curl: HTTP checks).');
    expect(result.demoerr).toContain('demo stopped');
    expect(result.demoout).toBeUndefined();
    const [before, after] = result.dpkg!.split('\n');
    expect(after).toBe(before);
    expect(result.shm).toBe('0');
  }, 120_000);

  it('not Debian or Ubuntu: names what the tests lack, says to use the distribution\'s package manager, exits 1, changes nothing', async () => {
    const result = await session(fleet, fleet.hosts[2]!.name, [
      'apt-get purge -y -q curl debootstrap >/dev/null 2>&1; echo "@purge $?"',
      "rm /etc/os-release && printf 'NAME=Fedora Linux\\nID=fedora\\nVERSION_ID=41\\n' > /etc/os-release",
      `echo "@dpkg $(${DPKG_STATE})"`,
      ...captured(`bash ${SCRIPT}`),
      `echo "@dpkg $(${DPKG_STATE})"`,
      'echo "@policy $(ls /usr/sbin/policy-rc.d 2>&1 >/dev/null | grep -c "No such file")"',
    ]);
    expect(result.purge).toBe('0');
    expect(result.exit).toBe('1');
    expect(result.out).toBeUndefined();
    expect(result.err).toContain("drover's tests need these packages, which are missing: curl debootstrap (curl: HTTP checks; debootstrap: ");
    expect(result.err).toContain("This is not Debian or Ubuntu: install the equivalent packages with your distribution's package manager");
    const [before, after] = result.dpkg!.split('\n');
    expect(after).toBe(before);
    expect(result.policy).toBe('1');
  }, 120_000);
});
