/**
 * Reboots when needed, on real systemd fleet hosts (which reboot: their PID 1 ends and the fleet starts
 * the same host again, with a new boot id) and a real `drover controller`:
 * - `reboot: report` (the default): `drover reconcile` says why a host needs a reboot (Debian's marker, a
 *   newer kernel installed, a resource with `reboot: true` that changed) and reboots nothing;
 * - `reboot: auto`: the canary host with /var/run/reboot-required is rebooted in its wave (the next wave
 *   starts after its run, reboot included, ended), says `rebooting since T` while it is down, comes back
 *   with a new boot id, passes its checks, and the marker is gone; the `report` host keeps its boot id and
 *   its metric `drover_host_reboot_required` says 1;
 * - a host that does not come back within `rebootTimeout` (the test holds it down) fails its run with
 *   E_REBOOT_TIMEOUT and halts its wave: the hosts of later waves never run that revision.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runDrover } from '../../integration/cli/run-cli.js';
import { parseExposition } from '../../support/exposition.js';
import { freePort } from '../../support/net.js';
import { fleetSshFlags, sshRun } from '../../support/ssh.js';
import { hostFile, hostRecord, revisionOf, waitForHost, type ControllerProcess, useControllerEnv } from '../controller/support.js';
import type { HostView } from '../../../controller/daemon/api.js';
import { loadRollouts } from '../../../controller/daemon/rollouts/rollout-store.js';

const env = useControllerEnv({ count: 3, systemd: true, name: 'reboot' });
let ctl: ControllerProcess | undefined;
let metricsUrl: string;
const MARKER = '/var/run/reboot-required';
const bootIds = new Map<string, string>();

const on = (name: string, command: string): Promise<string> => sshRun(env.fleet, `host${Number(name.slice(1))}`, command);
const bootId = async (name: string): Promise<string> => (await on(name, 'cat /proc/sys/kernel/random/boot_id')).trim();
const markerOn = async (name: string): Promise<boolean> => (await on(name, `test -e ${MARKER} && echo yes || echo no`)).trim() === 'yes';

/** The repository: h01..h03 each with /srv/ctl/managed.txt saying `text`, role `check`, `extra` host fields by name. */
function repo(text: string, extra: Record<string, Record<string, unknown>>, drover: Record<string, unknown> = {}): Record<string, string> {
  const files: Record<string, string> = {
    'roles/check.yaml': stringify({ tests: [{ name: 'good', command: 'grep -q good /srv/ctl/managed.txt' }] }),
    'groups/canary.yaml': stringify({ include: ['h01'] }),
    'groups/second.yaml': stringify({ include: ['h03'] }),
    'drover.yaml': stringify(drover),
  };
  env.fleet.hosts.forEach((host, i) => {
    const name = `h0${i + 1}`;
    files[`hosts/${name}.yaml`] = hostFile(host, text, { roles: ['check'], ...extra[name] });
  });
  return files;
}

async function metric(name: string): Promise<Map<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  return new Map(parseExposition(text).filter((s) => s.name === name).map((s) => [s.labels.host!, s.value]));
}

describe('reboots when needed', () => {
  it('reboot: report (the default): drover reconcile says why each host needs a reboot and reboots none', async () => {
    await on('h01', `touch ${MARKER}`);
    await on('h02', `printf 'linux-image-6.1.0-99-amd64\\nlibc6\\n' > ${MARKER}.pkgs; touch ${MARKER}; mkdir -p /lib/modules/99.1.0-test`);
    for (const name of ['h01', 'h02', 'h03']) bootIds.set(name, await bootId(name));
    // h02's file has `reboot: true`: its first apply changes it.
    const kernelFile = { kind: 'file', path: '/etc/drover-kernel-params', content: 'quiet\n', reboot: true };
    const h02 = stringify({ address: env.fleet.hosts[1]!.address, roles: ['check'], resources: [
      { kind: 'directory', path: '/srv/ctl' }, { kind: 'file', path: '/srv/ctl/managed.txt', content: 'good v1\n', mode: '0644' }, kernelFile,
    ] });
    await env.remote.commit({ ...repo('good v1\n', {}), 'hosts/h02.yaml': h02 }, 'h02 with a reboot: true resource');
    const run = await runDrover(['reconcile', env.remote.work, '--yes', ...fleetSshFlags(env.fleet)]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('reboot required: /var/run/reboot-required exists (reboot: report; reboot it by hand, or set reboot: auto)');
    expect(run.stdout).toContain('reboot required: /var/run/reboot-required exists (linux-image-6.1.0-99-amd64, libc6); '
      + 'kernel 99.1.0-test is installed, 6.');
    expect(run.stdout).toMatch(/is running; changed with reboot: true: file:\/etc\/drover-kernel-params \(reboot: report;/);
    expect(run.stdout.match(/reboot required/g)).toHaveLength(2);
    // The resource's change is remembered on the host for this boot (a later run still says so: next test).
    expect(await on('h02', 'cat /var/lib/drover/reboot-required')).toBe(`${bootIds.get('h02')}\nfile:/etc/drover-kernel-params\n`);
    for (const name of ['h01', 'h02', 'h03']) expect(await bootId(name)).toBe(bootIds.get(name));
    await on('h02', `rm -rf /lib/modules/99.1.0-test ${MARKER}.pkgs`);
  });

  it('reboot: auto reboots the canary in its wave, which comes back with a new boot id, passes its checks and loses its marker', async () => {
    const policy = { rollout: { waves: [{ group: 'canary' }] } };
    const commit = await env.remote.commit(repo('good v2\n', { h01: { reboot: 'auto' } }, policy), 'v2, h01 reboots');
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    ctl = await env.start({ extra: { concurrency: 3, metricsListen: `127.0.0.1:${port}` } });
    const rebooting = await waitForHost(ctl, 'h01', (r) => /^rebooting since \d{4}-/.test(r.reason), 'h01 rebooting');
    expect(rebooting.status).toBe('Progressing');
    const synced = await waitForHost(ctl, 'h01', (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(commit), 'h01 synced after its reboot');
    expect(synced.rebootRequired).toBeUndefined();
    const after = await bootId('h01');
    expect(after).not.toBe(bootIds.get('h01'));
    expect(await markerOn('h01')).toBe(false);
    expect(ctl.events.some((e) => e.host === 'h01' && e.phase === 'reboot')).toBe(true);
    expect(ctl.events.some((e) => e.host === 'h01' && e.phase === 'verify')).toBe(true);
    for (const name of ['h02', 'h03']) await waitForHost(ctl, name, (r) => r.status === 'Synced' && r.lastAppliedRevision === revisionOf(commit), `${name} synced`);
    // The next wave (the other hosts) started only once h01's run, its reboot included, had ended.
    const h01Run = (await hostRecord(env.stateDir, 'h01'))!.history.find((h) => h.revision === revisionOf(commit))!;
    for (const name of ['h02', 'h03']) {
      const run = (await hostRecord(env.stateDir, name))!.history.find((h) => h.revision === revisionOf(commit) && !h.dryRun)!;
      expect(run.startedAt, `${name} after h01's reboot`).toBeGreaterThanOrEqual(h01Run.endedAt!);
    }
    // h02 only reports: 1 in the metric, the record says why, its boot id is the same.
    const h02 = await waitForHost(ctl, 'h02', (r) => r.rebootRequired !== undefined, 'h02 reboot required');
    expect(h02.rebootRequired).toMatchObject({ action: 'report', reasons: [expect.stringMatching(/^\/var\/run\/reboot-required exists/), expect.stringMatching(/^changed with reboot: true/)] });
    const required = await ctl.waitFor(async () => {
      const m = await metric('drover_host_reboot_required');
      return m.get('h02') === 1 ? m : undefined;
    }, 'the metric for h02');
    expect([required.get('h01'), required.get('h03')]).toEqual([0, 0]);
    expect(await bootId('h02')).toBe(bootIds.get('h02'));
    expect(await bootId('h03')).toBe(bootIds.get('h03'));
  });

  it('a host that does not come back within rebootTimeout fails E_REBOOT_TIMEOUT and halts its wave', async () => {
    await on('h03', `touch ${MARKER}`);
    env.fleet.holdReboots({ host: 'host3', hold: true });
    const policy = { rollout: { waves: [{ group: 'second' }] } };
    const commit = await env.remote.commit(repo('good v3\n', { h01: { reboot: 'auto' }, h03: { reboot: 'auto', rebootTimeout: '8s' } }, policy), 'v3, h03 reboots and stays down');
    try {
      await waitForHost(ctl!, 'h03', (r) => /^rebooting since /.test(r.reason), 'h03 rebooting');
      // The HTTP API says the same while it waits: blockedBy running, rebooting since T.
      const listening = await ctl!.waitForEvent((e) => typeof e.url === 'string' && e.msg.startsWith('HTTP API listening'), 'the HTTP listener');
      const blocked = await ctl!.waitFor(async () => {
        const { hosts } = (await (await fetch(`${listening.url as string}/api/v1/hosts`)).json()) as { hosts: HostView[] };
        const h03 = hosts.find((h) => h.host === 'h03');
        return h03?.blockedBy?.kind === 'running' ? h03.blockedBy : undefined;
      }, 'blockedBy of h03');
      expect(blocked.reason).toMatch(/^rebooting since \d{4}-\d\d-\d\dT[0-9:.]+Z \(run \S+, applying main@sha1:[0-9a-f]{40}\)$/);
      const failed = await waitForHost(ctl!, 'h03', (r) => r.lastError?.code === 'E_REBOOT_TIMEOUT', 'h03 timed out');
      expect(failed.lastError?.message).toMatch(/^rebooted at \d{4}-.*, not back with a new boot id within 8s$/);
      const lane = await ctl!.waitFor(async () => loadRollouts(env.stateDir)[0]?.halted && loadRollouts(env.stateDir)[0], 'the rollout halted');
      expect(lane.halted?.reason).toMatch(/^wave second \(1\/2\): 1 of 1 hosts failed, budget 0: h03 \(E_REBOOT_TIMEOUT\)/);
      for (const name of ['h01', 'h02']) {
        const record = (await hostRecord(env.stateDir, name))!;
        expect(record.history.some((h) => h.revision === revisionOf(commit) && !h.dryRun), `${name} never applied v3`).toBe(false);
      }
    } finally {
      env.fleet.holdReboots({ host: 'host3', hold: false });
    }
    expect(await ctl!.waitFor(async () => bootId('h03').catch(() => undefined).then((id) => (id && id !== bootIds.get('h03') ? id : undefined)), 'h03 back')).not.toBe(bootIds.get('h03'));
  });
});
