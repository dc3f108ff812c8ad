/**
 * Commit statuses on GitLab and Gitea from a real controller and a real Git remote, to a local server
 * answering as each API does (exact path, PRIVATE-TOKEN or `Authorization: token`, each one's state
 * names): a commit whose one host cannot be reconciled (nothing answers on its port) is pending (GitLab: running), then failure (GitLab:
 * failed) naming the host.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createRemote, type GitRemote } from '../../support/git-remote.js';
import { startControllerProcess, tempDir, type ControllerProcess } from '../controller/support.js';
import { startForgeRecorder, type ForgeRecorder, type ForgeSpec } from './forge-recorder.js';

const TOKEN = 'forge-token-abcdef0123456789';
let remote: GitRemote;
let dir: string;
let commit: string;
const running: (ControllerProcess | ForgeRecorder)[] = [];

beforeAll(async () => {
  remote = await createRemote();
  dir = await tempDir();
  // One host nobody answers for: its run fails, so the revision fails.
  commit = await remote.commit({ 'hosts/web1.yaml': stringify({ address: '127.0.0.1', port: 1, resources: [{ kind: 'directory', path: '/srv/x' }] }) });
  await writeFile(join(dir, 'forge-token'), `${TOKEN}\n`, { mode: 0o600 });
});

afterAll(async () => {
  for (const r of running) await (('close' in r) ? r.close() : r.stop());
  await remote?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const CASES: { spec: ForgeSpec; states: [string, string] }[] = [
  { spec: { provider: 'gitlab', token: TOKEN, repository: 'infra/deploy/fleet', context: 'drover' }, states: ['running', 'failed'] },
  { spec: { provider: 'gitlab', token: TOKEN, repository: '4711', context: 'drover/prod' }, states: ['running', 'failed'] },
  { spec: { provider: 'gitea', token: TOKEN, repository: 'ops/fleet', context: 'drover' }, states: ['pending', 'failure'] },
];

describe('commit statuses on GitLab and Gitea', () => {
  it.each(CASES)('$spec.provider $spec.repository: $states', async ({ spec, states }) => {
    const forge = await startForgeRecorder(spec);
    running.push(forge);
    const stateDir = join(dir, `state-${running.length}`);
    const config = stringify({
      source: { url: remote.bare, branch: 'main', interval: '1h' }, stateDir, logLevel: 'info', listen: '127.0.0.1:0',
      sshConnectTimeout: '1s', retry: { baseSeconds: 60, maxSeconds: 60 }, publicUrl: 'https://drover.example.com/',
      commitStatus: {
        provider: spec.provider, apiUrl: forge.apiUrl, repository: spec.repository, tokenFile: 'forge-token',
        ...(spec.context === 'drover' ? {} : { context: spec.context }),
      },
    });
    const ctl = await startControllerProcess({ dir, config, stateDir });
    running.push(ctl);
    await ctl.waitFor(async () => (forge.statuses.length >= 2 ? true : undefined), 'two statuses');
    expect(forge.problems).toEqual([]);
    expect(forge.statuses).toEqual([
      { sha: commit, state: states[0], description: 'accepted; reconciling the hosts', context: spec.context, targetUrl: 'https://drover.example.com/' },
      { sha: commit, state: states[1], description: '0/1 host synced, 1 failed: web1', context: spec.context, targetUrl: 'https://drover.example.com/' },
    ]);
    expect(forge.received.map((r) => r.answered)).toEqual([201, 201]);
    for (const line of [JSON.stringify(ctl.events), ctl.stderr()]) expect(line).not.toContain(TOKEN);
  });
});
