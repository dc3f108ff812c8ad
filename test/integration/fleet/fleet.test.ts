import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { FLEET_ROOT, startFleet, type Fleet } from '../../fleet/index.js';
import { fleetPids, isLive, mountsMentioning, runSsh } from './run-ssh.js';

describe('test fleet (plain hosts)', () => {
  let fleet: Fleet;
  let wrongKeyFleet: Fleet;

  beforeAll(async () => {
    // Two fleets at once: they must get separate slots (addresses, ports, dirs).
    [fleet, wrongKeyFleet] = await Promise.all([
      startFleet({ count: 3, name: 'plain' }),
      startFleet({ count: 2, name: 'wrongkey', wrongHostKey: [1] }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([fleet?.stop(), wrongKeyFleet?.stop()]);
  });

  it('gives the fleets disjoint addresses, ports and dirs', () => {
    const all = [...fleet.hosts, ...wrongKeyFleet.hosts];
    expect(new Set(all.map((h) => h.address)).size).toBe(5);
    expect(new Set(all.map((h) => h.localPort)).size).toBe(5);
    expect(fleet.dir).not.toBe(wrongKeyFleet.dir);
    expect(fleet.hosts.map((h) => h.name)).toEqual(['host1', 'host2', 'host3']);
  });

  it('answers with each host its own name, on the host address and on the 127.0.0.1 port', async () => {
    for (const host of fleet.hosts) {
      const viaAddress = await runSsh({ fleet, host: host.name, command: 'hostname; cat /etc/hostname' });
      expect(viaAddress).toMatchObject({ code: 0, stdout: `${host.name}\n${host.name}` });
      const viaLocal = await runSsh({ fleet, host: host.name, command: 'hostname', extra: ['-o', 'HostName=127.0.0.1', '-p', String(host.localPort)] });
      expect(viaLocal).toMatchObject({ code: 0, stdout: host.name });
    }
  });

  it('keeps a file written on one host off the other hosts and off the machine', async () => {
    const path = `/root/fleet-marker-${randomBytes(4).toString('hex')}`;
    const [host1, host2] = fleet.hosts;
    expect((await runSsh({ fleet, host: host1!.name, command: `echo one > ${path}` })).code).toBe(0);
    expect((await runSsh({ fleet, host: host1!.name, command: `cat ${path}` })).stdout).toBe('one');
    expect((await runSsh({ fleet, host: host2!.name, command: `test ! -e ${path}` })).code).toBe(0);
    expect(existsSync(path)).toBe(false);
    expect(readFileSync(join(host1!.rootDir, path), 'utf8')).toBe('one\n');
  });

  it('lets apt start services: no policy-rc.d inside, login shell from /etc/skel', async () => {
    const result = await runSsh({ fleet, host: 'host1', command: 'test ! -e /usr/sbin/policy-rc.d && cmp /etc/skel/.bashrc /root/.bashrc && echo ok' });
    expect(result).toMatchObject({ code: 0, stdout: 'ok' });
  });

  it('verifies host keys strictly: the fleet known_hosts passes, an empty one fails', async () => {
    const ok = await runSsh({ fleet, host: 'host2', command: 'true', extra: ['-o', 'StrictHostKeyChecking=yes'] });
    expect(ok.code).toBe(0);
    const empty = join(fleet.dir, 'empty_known_hosts');
    writeFileSync(empty, '');
    const unknown = await runSsh({ fleet, host: 'host2', command: 'true', extra: ['-o', `UserKnownHostsFile=${empty}`] });
    expect(unknown.code).toBe(255);
    expect(unknown.stderr).toContain('Host key verification failed');
  });

  it('has OpenSSH refuse a wrongHostKey host, and accept its sibling', async () => {
    const sibling = await runSsh({ fleet: wrongKeyFleet, host: 'host1', command: 'hostname' });
    expect(sibling).toMatchObject({ code: 0, stdout: 'host1' });
    const wrong = await runSsh({ fleet: wrongKeyFleet, host: 'host2', command: 'hostname' });
    expect(wrong.code).toBe(255);
    expect(wrong.stderr).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
  });

  it('stop() leaves no process, mount, dir or slot behind', async () => {
    const extra = await startFleet({ count: 2, name: 'stopme' });
    const pids = fleetPids(extra);
    expect(pids.length).toBeGreaterThanOrEqual(2);
    expect(mountsMentioning(extra.dir).length).toBeGreaterThan(0);
    await extra.stop();
    expect(pids.filter(isLive)).toEqual([]);
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(extra.dir);
    expect(mountsMentioning(extra.dir)).toEqual([]);
    expect(existsSync(extra.dir)).toBe(false);
    await extra.stop(); // idempotent
  });

  it('fails with the host output when a host is not up in time, and leaves nothing behind', async () => {
    const failure = await startFleet({ count: 1, name: 'too-slow', readyTimeoutSeconds: 0.001 }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'E_FLEET_HOST_START', host: 'host1' });
    expect((failure as Error).message).toMatch(/did not listen in time .*its output:/s);
    expect(readdirSync(FLEET_ROOT).filter((e) => e.endsWith('-too-slow'))).toEqual([]);
  });

  it('rejects bad options with a clear error', async () => {
    await expect(startFleet({ count: 0 })).rejects.toThrow(/count must be 1\.\.254/);
    await expect(startFleet({ count: 2, wrongHostKey: [2] })).rejects.toThrow(/wrongHostKey index 2/);
  });
});
