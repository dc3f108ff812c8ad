/**
 * `drover reconcile` rehearses a rollout without the controller: the same waves (canary group, then a
 * percentage of the rest in name order), the health gate, and a halt that leaves later waves untouched.
 */
import { describe, expect, it } from 'vitest';
import { runDrover } from '../../integration/cli/run-cli.js';
import { useFleet } from '../../support/fleet.js';
import { useGitRemote } from '../../support/git-remote.js';
import { fleetSshFlags, sshRun } from '../../support/ssh.js';
import { hostFiles, hostNames, repoFiles } from './support.js';

const env = useFleet({ count: 5, name: 'rollout-reconcile' });
const remote = useGitRemote();
const names = hostNames(5);
const canary = ['h04'];
const policy = { rollout: { waves: [{ group: 'canary' }, { percent: 50, name: 'half' }] } };

const fileOn = (name: string): Promise<string> => sshRun(env.fleet, `host${Number(name.slice(1))}`, 'cat /srv/ctl/managed.txt');

describe('drover reconcile under a rollout policy', () => {
  it('applies wave by wave: canary, then half of the rest in name order, then the rest', async () => {
    await remote.commit({ ...repoFiles({ canary, drover: policy }), ...hostFiles(env.fleet.hosts, 'good v1\n') }, 'first');
    const run = await runDrover(['reconcile', remote.work, '--yes', ...fleetSshFlags(env.fleet)]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const waves = run.stdout.split('\n').filter((l) => l.startsWith('rollout: wave'));
    expect(waves).toEqual(['rollout: wave canary (1/3): h04', 'rollout: wave half (2/3): h01, h02', 'rollout: wave rest (3/3): h03, h05']);
    for (const n of names) expect(await fileOn(n)).toBe('good v1\n');
  });

  it('halts when the canary fails its health check: the other hosts are held and untouched (exit 3)', async () => {
    await remote.commit(hostFiles(env.fleet.hosts, 'broken v2\n'), 'bad');
    const run = await runDrover(['reconcile', remote.work, '--yes', ...fleetSshFlags(env.fleet)]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/✗ h04 \([0-9.:]+\): failed: test_check_good failed/);
    for (const n of ['h01', 'h02', 'h03', 'h05']) expect(run.stdout).toMatch(new RegExp(`~ ${n} \\([0-9.:]+\\): not applied: RolloutHalted: wave canary \\(1/3\\): 1 of 1 hosts failed, budget 0: h04 \\(test_check_good failed \\(exit 1\\)\\)`));
    expect(run.stdout).toMatch(/^rollout Halted: wave canary/m);
    expect(run.stdout.split('\n').filter((l) => l.startsWith('rollout: wave'))).toEqual(['rollout: wave canary (1/3): h04']);
    expect(await fileOn('h04')).toBe('broken v2\n');
    for (const n of ['h01', 'h02', 'h03', 'h05']) expect(await fileOn(n)).toBe('good v1\n');
    // Run again: the canary is in sync now (broken), and still halts the rollout by its check.
    const json = await runDrover(['reconcile', remote.work, '--yes', '--output', 'json', ...fleetSshFlags(env.fleet)]);
    expect(json.code).toBe(3);
    const body = JSON.parse(json.stdout) as { rollouts: { lane: string; halted?: string; waves: { name: string; hosts: string[] }[] }[] };
    expect(body.rollouts).toEqual([{ lane: 'default', halted: expect.stringMatching(/^wave canary/), waves: [
      { name: 'canary', hosts: ['h04'], budget: 0 }, { name: 'half', hosts: ['h01', 'h02'], budget: 0 }, { name: 'rest', hosts: ['h03', 'h05'], budget: 0 },
    ] }]);
    for (const n of ['h01', 'h02', 'h03', 'h05']) expect(await fileOn(n)).toBe('good v1\n');
  });
});
