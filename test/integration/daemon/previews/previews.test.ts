/**
 * Previews in the controller's own process on a manual clock (test/support/in-process-controller.ts),
 * with real git and real SSH hosts, and a preview's observation held at a host's door (RunGates) to
 * order events: at most previews.concurrency run at once and the others wait, a commit already waiting
 * or running is that preview, too many unfinished previews are refused, finished ones are forgotten
 * after previews.retention, and the hosts' records never change. Every preview here observes the hosts
 * (observedWithin 0; fresh-observations.test.ts covers planning from a fresh observation).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DroverError } from '../../../../manifests/errors.js';
import type { PreviewView } from '../../../../controller/daemon/previews/types.js';
import { useFleet } from '../../../support/fleet.js';
import { useGitRemote } from '../../../support/git-remote.js';
import { hostFile } from '../../../support/host-file.js';
import { startInProcess, type InProcessController } from '../../../support/in-process-controller.js';
import { poll } from '../../../support/poll.js';

const env = useFleet({ count: 2, name: 'inproc-previews' });
const remote = useGitRemote();
let ctl: InProcessController;

/** Pushes branch `name`: main with host1's file saying `name`. */
async function pushBranch(name: string): Promise<void> {
  await remote.branch(name, { 'hosts/host1.yaml': hostFile(env.fleet.hosts[0]!, `${name}
`) });
}

const state = (id: string): PreviewView['state'] | undefined => ctl.api.preview(id)?.state;
const until = (id: string, wanted: PreviewView['state']): Promise<PreviewView> =>
  poll(`preview ${id} ${wanted}`, () => { const p = ctl.api.preview(id); return p?.state === wanted ? p : undefined; });
const records = (): string => JSON.stringify(['host1', 'host2'].map((h) => ctl.host(h)));

beforeAll(async () => {
  await remote.commit({ 'hosts/host1.yaml': hostFile(env.fleet.hosts[0]!, 'one\n'), 'hosts/host2.yaml': hostFile(env.fleet.hosts[1]!, 'one\n') }, 'first');
  ctl = await startInProcess({ url: remote.bare, fleet: env.fleet, settings: { observedWithinMs: 0, previews: { concurrency: 1, keep: 3, retentionMs: 60_000 } } });
  await ctl.idle();
  for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) await pushBranch(name);
});

afterAll(async () => {
  await ctl?.stop();
});

describe('previews in the controller', () => {
  it('runs one at a time, answers a commit already waiting with its preview, and changes no host record', async () => {
    const before = records();
    ctl.gates.hold('host1');
    const a = await ctl.api.startPreview({ ref: 'a' });
    await poll('preview a observing host1', () => (ctl.gates.waiting('host1') > 0 ? true : undefined));
    expect(state(a.previewId)).toBe('running');
    const b = await ctl.api.startPreview({ ref: 'b' });
    expect(b.state).toBe('pending');
    expect((await ctl.api.startPreview({ ref: 'b' })).previewId).toBe(b.previewId);
    expect(state(b.previewId)).toBe('pending');
    // Times are the manual clock's: a preview started meanwhile would carry a start before this.
    ctl.clock.advance(1_000);
    ctl.gates.release('host1');
    const doneA = await until(a.previewId, 'done');
    const doneB = await until(b.previewId, 'done');
    expect(doneA.finishedAt! - doneA.startedAt!).toBe(1_000);
    expect(doneB.startedAt).toBe(doneA.finishedAt);
    for (const [p, text] of [[doneA, 'a'], [doneB, 'b']] as const) {
      expect(p.hosts.map((h) => [h.host, h.change, h.steps.map((s) => s.name)])).toEqual([
        ['host1', 'changed', ['backup_srv_ctl_managed_txt', 'regen_srv_ctl_managed_txt']],
        ['host2', 'unchanged', []],
      ]);
      expect(p.hosts[0]!.diff).toContain(`+${text}`);
    }
    expect(records()).toBe(before);
  });

  it('refuses a new preview while previews.keep are unfinished, and forgets finished ones after previews.retention', async () => {
    ctl.gates.hold('host1');
    const started = [];
    for (const ref of ['c', 'd', 'e']) started.push(await ctl.api.startPreview({ ref }));
    const refused = await ctl.api.startPreview({ ref: 'f' }).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(DroverError);
    expect((refused as DroverError).code).toBe('E_PREVIEW_LIMIT');
    ctl.gates.release('host1');
    for (const p of started) await until(p.previewId, 'done');
    ctl.clock.advance(59_000);
    expect(state(started[0]!.previewId)).toBe('done');
    ctl.clock.advance(60_000);
    expect(started.map((p) => state(p.previewId))).toEqual([undefined, undefined, undefined]);
  });
});
