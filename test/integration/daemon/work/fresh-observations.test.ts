/**
 * Previews and applies plan from the controller's fresh observations (observedWithin, daemon/observations.ts)
 * in its own process on a manual clock, with real git and real SSH hosts. Hosts held at their door
 * (RunGates) show whether a preview sent them anything: right after the hosts converged, a preview of a
 * content change finishes with every host held (the observation the runs left, the old text from the
 * revision the host is on); once that observation is older than observedWithin the host is probed
 * again; after an apply, the apply's own verify probe is what the next preview starts from. A new
 * revision is applied from the same observations (one round trip less), and a host changed by hand
 * meanwhile, which the apply's verify probe shows, is observed and applied again in the same run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreviewView } from '../../../../controller/daemon/previews/types.js';
import { useFleet } from '../../../support/fleet.js';
import { useGitRemote } from '../../../support/git-remote.js';
import { hostFile } from '../../../support/host-file.js';
import { startInProcess, type InProcessController } from '../../../support/in-process-controller.js';
import { poll } from '../../../support/poll.js';
import { sshRun } from '../../../support/ssh.js';
import { stringify } from 'yaml';

const env = useFleet({ count: 2, name: 'inproc-observed' });
const remote = useGitRemote();
let ctl: InProcessController;

/** Pushes branch `name`: main with host1's file saying `name`. */
async function pushBranch(name: string): Promise<void> {
  await remote.branch(name, { 'hosts/host1.yaml': hostFile(env.fleet.hosts[0]!, `${name}
`) });
}

const until = (id: string): Promise<PreviewView> =>
  poll(`preview ${id} done`, () => { const p = ctl.api.preview(id); return p?.state === 'done' || p?.state === 'failed' ? p : undefined; });
const host1 = (p: PreviewView): PreviewView['hosts'][number] => p.hosts.find((h) => h.host === 'host1')!;

beforeAll(async () => {
  await remote.commit({ 'hosts/host1.yaml': hostFile(env.fleet.hosts[0]!, 'one\n'), 'hosts/host2.yaml': hostFile(env.fleet.hosts[1]!, 'one\n') }, 'first');
  ctl = await startInProcess({ url: remote.bare, fleet: env.fleet, settings: { observedWithinMs: 30_000 } });
  await ctl.idle();
  for (const name of ['a', 'b']) await pushBranch(name);
});

afterAll(async () => {
  await ctl?.stop();
});

describe('previews from fresh observations', () => {
  it('plans from the observation the last runs left, sending the hosts nothing', async () => {
    ctl.gates.hold('host1');
    ctl.gates.hold('host2');
    try {
      const done = await until((await ctl.api.startPreview({ ref: 'a' })).previewId);
      expect(done.state).toBe('done');
      expect(ctl.gates.waiting('host1') + ctl.gates.waiting('host2')).toBe(0);
      expect(done.hosts.map((h) => [h.host, h.change, h.steps.map((s) => s.name)])).toEqual([
        ['host1', 'changed', ['backup_srv_ctl_managed_txt', 'regen_srv_ctl_managed_txt']],
        ['host2', 'unchanged', []],
      ]);
      // The old text is the revision the host is on: the same diff a probe of the host would give.
      expect(host1(done).diff).toEqual(expect.arrayContaining(['-one', '+a']));
    } finally {
      ctl.gates.release('host1');
      ctl.gates.release('host2');
    }
  });

  it('probes a host again once its observation is older than observedWithin', async () => {
    ctl.clock.advance(30_001);
    ctl.gates.hold('host1');
    const started = await ctl.api.startPreview({ ref: 'b' });
    await poll('the preview probing host1', () => (ctl.gates.waiting('host1') > 0 ? true : undefined));
    ctl.gates.release('host1');
    const done = await until(started.previewId);
    expect(host1(done).diff).toEqual(expect.arrayContaining(['-one', '+b']));
  });

  it("after an apply, plans from the apply's own verify probe: the diff starts from the applied text", async () => {
    const two = await remote.commit({ 'hosts/host1.yaml': hostFile(env.fleet.hosts[0]!, 'two\n') }, 'two');
    await ctl.api.triggerFetch();
    await poll('host1 applied two', () => (ctl.host('host1').lastAppliedRevision?.endsWith(two) ? true : undefined));
    await ctl.idle();
    ctl.gates.hold('host1');
    ctl.gates.hold('host2');
    try {
      const done = await until((await ctl.api.startPreview({ ref: 'b' })).previewId);
      expect(ctl.gates.waiting('host1') + ctl.gates.waiting('host2')).toBe(0);
      expect(host1(done).diff).toEqual(expect.arrayContaining(['-two', '+b']));
    } finally {
      ctl.gates.release('host1');
      ctl.gates.release('host2');
    }
  });

  it('applies a new revision from the observation the last run left: one round trip less than with a probe', async () => {
    const applyOnce = async (text: string): Promise<number> => {
      const before = ctl.gates.sent('host1');
      const commit = await remote.commit({ 'hosts/host1.yaml': hostFile(env.fleet.hosts[0]!, text) }, text);
      await ctl.api.triggerFetch();
      await poll(`host1 applied ${text.trim()}`, () => (ctl.host('host1').lastAppliedRevision?.endsWith(commit) ? true : undefined));
      await ctl.idle();
      expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/managed.txt')).toBe(text);
      return ctl.gates.sent('host1') - before;
    };
    const fromObservation = await applyOnce('three\n');
    ctl.clock.advance(30_001);
    const probed = await applyOnce('four\n');
    expect(fromObservation).toBe(probed - 1);
  });

  it('a host changed by hand since its observation is probed and applied again in the same run', async () => {
    const twoFiles = (text: string): string => stringify({
      address: env.fleet.hosts[0]!.address,
      resources: [
        { kind: 'directory', path: '/srv/ctl' },
        { kind: 'file', path: '/srv/ctl/managed.txt', content: text, mode: '0644' },
        { kind: 'file', path: '/srv/ctl/other.txt', content: 'kept\n', mode: '0644' },
      ],
    });
    const apply = async (text: string): Promise<string> => {
      const commit = await remote.commit({ 'hosts/host1.yaml': twoFiles(text) }, text);
      await ctl.api.triggerFetch();
      await poll(`host1 applied ${text.trim()}`, () => (ctl.host('host1').lastAppliedRevision?.endsWith(commit) ? true : undefined));
      await ctl.idle();
      return commit;
    };
    await apply('five\n');
    await sshRun(env.fleet, 'host1', 'echo by-hand > /srv/ctl/other.txt');
    await apply('six\n');
    const host = ctl.host('host1');
    expect(host.status).toBe('Synced');
    expect(host.lastError).toBeUndefined();
    expect(host.history[0]).toMatchObject({ result: 'applied', changedSteps: expect.arrayContaining(['regen_srv_ctl_managed_txt', 'regen_srv_ctl_other_txt']) });
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/ctl/managed.txt /srv/ctl/other.txt')).toBe('six\nkept\n');
  });
});
