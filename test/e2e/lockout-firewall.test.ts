/**
 * The lockout guard against a firewall rule, through the built CLI on a real fleet host: a `command`
 * resource adds an nftables rule dropping new connections to the host's sshd. `drover reconcile` cannot
 * confirm the run over a new connection; the host loads the ruleset it copied when the guard was armed,
 * so new connections work again, and reconcile reports E_LOCKED_OUT naming the ruleset it put back (exit 3).
 * A commit without the rule converges and a second run changes nothing.
 * The fleet's hosts share the machine's network namespace: the rule names this host's address only, and
 * the test removes its table from the machine whatever happens. Needs nft (test/fleet/prepare-machine.sh)
 * and `npm run build` (bin/drover.js -> dist/).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { HostResult } from '../../controller/reconcile/types.js';
import { useFleet } from '../support/fleet.js';
import { reconcileJson } from './reconcile-json.js';
import { sshRun } from '../support/ssh.js';

const TABLE = 'drover_lockout_test';
const env = useFleet({ count: 1, name: 'e2e-lock-fw' });
let dir: string;

const nft = async (...args: string[]): Promise<string> => (await promisify(execFile)('nft', args)).stdout;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-lock-fw-'));
  await mkdir(join(dir, 'hosts'), { recursive: true });
});

afterAll(async () => {
  await nft('delete', 'table', 'inet', TABLE).catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** hosts/web1.yaml with /srv/fw/state.txt, and with `dropSsh` the command adding the rule; guard confirmWithin 3s. */
async function declare(dropSsh: boolean, text: string): Promise<void> {
  const host = env.fleet.hosts[0]!;
  const rule = `nft add table inet ${TABLE} && nft add chain inet ${TABLE} input '{ type filter hook input priority 0; }'`
    + ` && nft add rule inet ${TABLE} input ip daddr ${host.address} tcp dport ${host.port} ct state new drop && touch /srv/fw/rule-added`;
  await writeFile(join(dir, 'hosts/web1.yaml'), stringify({
    address: host.address, port: host.port, confirmWithin: '3s',
    resources: [
      { kind: 'directory', path: '/srv/fw' },
      { kind: 'file', path: '/srv/fw/state.txt', content: text },
      ...(dropSsh ? [{ kind: 'command', name: 'firewall', run: rule, creates: '/srv/fw/rule-added' }] : []),
    ],
  }));
}

async function reconcile(): Promise<{ code: number | null; host: HostResult; stderr: string }> {
  const run = await reconcileJson(dir, env.fleet);
  return { ...run, host: run.hosts[0]! };
}

describe('the lockout guard: a firewall rule dropping new SSH connections', () => {
  it('is undone by the host: the ruleset it had is loaded again, reported E_LOCKED_OUT (exit 3)', async () => {
    await declare(false, 'one\n');
    expect((await reconcile()).code).toBe(0);
    await declare(true, 'two\n');
    const run = await reconcile();
    expect(run.code, run.stderr).toBe(3);
    expect(run.host.error, JSON.stringify(run.host.error)).toMatchObject({ code: 'E_LOCKED_OUT', message: expect.stringMatching(/could not be confirmed over a new SSH connection within 3s/) });
    expect(run.host.error?.message).toMatch(/put back .*the nftables ruleset/);
    expect(await nft('list', 'tables')).not.toContain(TABLE);
    // A new connection works again; the run's file change is undone with it.
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/fw/state.txt')).toBe('one\n');
  });

  it('a commit without the rule converges, and a second run changes nothing', async () => {
    await declare(false, 'three\n');
    const fixed = await reconcile();
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.host.outcome).toBe('applied');
    const again = await reconcile();
    expect(again.code, again.stderr).toBe(0);
    expect(again.host.outcome).toBe('in-sync');
    expect(await sshRun(env.fleet, 'host1', 'cat /srv/fw/state.txt')).toBe('three\n');
  });
});
