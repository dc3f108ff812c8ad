import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../fleet/index.js';
import { poll } from '../../support/poll.js';
import { fleetPids, isLive, mountsMentioning, pidsInNamespace, runSsh } from './run-ssh.js';

const UNIT = `[Unit]
Description=drover fleet test unit
[Service]
ExecStart=/bin/sleep infinity
`;

describe('test fleet (systemd hosts)', () => {
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await startFleet({ count: 2, systemd: true, name: 'systemd' });
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  it('boots systemd as PID 1 with the host name, ready when startFleet resolves', async () => {
    for (const host of fleet.hosts) {
      expect(host.systemd).toBe(true);
      const result = await runSsh({ fleet, host: host.name, command: 'systemctl is-system-running; hostname; cat /proc/1/comm' });
      const [state, name, init] = result.stdout.split('\n');
      expect(['running', 'degraded']).toContain(state);
      expect([name, init]).toEqual([host.name, 'systemd']);
    }
  });

  it("starts sshd with the host's own ssh.service from its upper layer, whatever the machine's ssh.service and ssh.socket say", async () => {
    // The machine's enablement does not reach the host: its ssh.service is the fleet's unit, enabled
    // by links in the host's upper dir, and ssh.socket is disabled there. Without host-root's own
    // start-up each of these fails, on a machine with ssh.service enabled as on a fresh one (disabled).
    const host = fleet.hosts[0]!;
    const command = [
      'systemctl show -p FragmentPath --value ssh.service',
      'systemctl is-enabled ssh.service',
      'systemctl is-active ssh.service',
      'systemctl is-enabled ssh.socket',
      'readlink /etc/systemd/system/multi-user.target.wants/ssh.service',
      'tr "\\0" " " < /proc/$(systemctl show -p MainPID --value ssh.service)/cmdline',
    ].join('; ');
    const result = await runSsh({ fleet, host: host.name, command });
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      '/etc/systemd/system/ssh.service',
      'enabled',
      'active',
      'disabled',
      '/etc/systemd/system/ssh.service',
    ]);
    // The unit's main process is sshd on the fleet's own config.
    expect(lines[5]).toMatch(/^sshd: \/usr\/sbin\/sshd -D -e -f \/etc\/ssh\/drover\/sshd_config /);
    expect(readlinkSync(join(host.rootDir, 'etc/systemd/system/multi-user.target.wants/ssh.service'))).toBe('/etc/systemd/system/ssh.service');
  });

  it('starts and stops a unit with systemctl', async () => {
    const install = `cat > /etc/systemd/system/fleet-test.service <<'EOF'\n${UNIT}EOF\nsystemctl daemon-reload`;
    expect((await runSsh({ fleet, host: 'host1', command: install })).code).toBe(0);
    const started = await runSsh({ fleet, host: 'host1', command: 'systemctl start fleet-test && systemctl is-active fleet-test' });
    expect(started).toMatchObject({ code: 0, stdout: 'active' });
    const other = await runSsh({ fleet, host: 'host2', command: 'systemctl is-active fleet-test' });
    expect(other.stdout).toBe('inactive');
    const stopped = await runSsh({ fleet, host: 'host1', command: 'systemctl stop fleet-test; systemctl is-active fleet-test' });
    expect(stopped.stdout).toBe('inactive');
  });

  it('stop() powers the hosts off and leaves no process, mount, cgroup or dir', async () => {
    const extra = await startFleet({ count: 1, systemd: true, name: 'systemd-stop' });
    const pids = fleetPids(extra);
    expect(pids.length).toBeGreaterThan(3);
    const cgroup = `/sys/fs/cgroup/systemd/drover-fleet/s${extra.dir.match(/\/s(\d+)-/)?.[1]}/host1`;
    expect(existsSync(cgroup)).toBe(true);
    await extra.stop();
    expect(pids.filter(isLive)).toEqual([]);
    expect(mountsMentioning(extra.dir)).toEqual([]);
    expect(existsSync(extra.dir)).toBe(false);
    expect(existsSync(cgroup)).toBe(false);
  });
});

describe('test fleet (a systemd host reboots)', () => {
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await startFleet({ count: 1, systemd: true, name: 'reboot' });
  });

  afterAll(async () => {
    await fleet?.stop();
  });

  const bootId = async (): Promise<string> => (await runSsh({ fleet, host: 'host1', command: 'cat /proc/sys/kernel/random/boot_id' })).stdout;
  /** The boot id once the host answers with one other than `previous` (its sshd is back). */
  const nextBootId = (previous: string): Promise<string> =>
    poll('host1 back with a new boot id', async () => {
      const id = await bootId();
      return /^[0-9a-f-]{36}$/.test(id) && id !== previous ? id : undefined;
    }, { timeoutMs: 60_000, everyMs: 200 });

  it('has a boot id of its own, not the machine\'s', async () => {
    const id = await bootId();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(id).not.toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
  });

  it('comes back after `systemctl reboot` with a new boot id, the same files and the same address', async () => {
    const before = await bootId();
    const init = (await runSsh({ fleet, host: 'host1', command: 'echo kept > /root/kept; readlink /proc/1/ns/pid' })).stdout;
    await runSsh({ fleet, host: 'host1', command: 'systemctl reboot' });
    const after = await nextBootId(before);
    const back = await runSsh({ fleet, host: 'host1', command: 'cat /root/kept; hostname; readlink /proc/1/ns/pid; systemctl is-system-running --wait' });
    const [kept, name, namespace, state] = back.stdout.split('\n');
    expect([kept, name]).toEqual(['kept', 'host1']);
    expect(namespace).not.toBe(init);
    expect(['running', 'degraded']).toContain(state);
    expect(after).not.toBe(before);
  });

  it('stays down while the test holds its reboots, and boots once let go', async () => {
    const before = await bootId();
    fleet.holdReboots({ host: 'host1', hold: true });
    await runSsh({ fleet, host: 'host1', command: 'reboot' });
    await poll('host1 down', async () => ((await runSsh({ fleet, host: 'host1', command: 'true', extra: ['-o', 'ConnectTimeout=2'] })).code !== 0 ? true : undefined), {
      timeoutMs: 30_000,
      everyMs: 200,
    });
    expect(readFileSync(join(fleet.dir, 'hosts/host1/log'), 'utf8')).toContain('host1: rebooted');
    fleet.holdReboots({ host: 'host1', hold: false });
    expect(await nextBootId(before)).not.toBe(before);
  });

  it('stop() after reboots leaves no process, mount or dir', async () => {
    const namespace = (await runSsh({ fleet, host: 'host1', command: 'readlink /proc/1/ns/pid' })).stdout;
    const pids = pidsInNamespace(namespace);
    expect(pids.length).toBeGreaterThan(3);
    await fleet.stop();
    expect(pids.filter(isLive)).toEqual([]);
    expect(mountsMentioning(fleet.dir)).toEqual([]);
    expect(existsSync(fleet.dir)).toBe(false);
  });
});
