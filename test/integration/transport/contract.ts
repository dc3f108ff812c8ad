/**
 * The behaviour every Transport must show, registered as vitest cases against a live host.
 * Used by ssh.test.ts (fleet hosts) and local.test.ts (this machine).
 */
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { shellQuote } from '../../../controller/transport/shell.js';
import type { Transport } from '../../../controller/transport/types.js';
import { poll } from '../../support/poll.js';

/** What the contract needs: the transport under test, an independent one to inspect the host, a scratch dir on the host. */
export interface ContractContext {
  transport: Transport;
  inspect: Transport;
  workDir: string;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Runs `command` through `t` and returns its stdout as trimmed text; fails the test on a non-zero exit. */
export async function sh(t: Transport, command: string): Promise<string> {
  const result = await t.run(command);
  expect(result.code, `${command}: ${result.stderr.toString()}`).toBe(0);
  return result.stdout.toString().trim();
}

/** How long a transport has to start or end a command the tests wait for: poll() options. */
export const SOON = { timeoutMs: 5_000, everyMs: 50 };

/** Registers the shared transport cases; `ctx()` is called inside each test (after beforeAll). */
export function describeTransportContract(ctx: () => ContractContext): void {
  it('returns exit status, stdout and stderr as buffers', async () => {
    const { transport } = ctx();
    const result = await transport.run('printf out; printf err >&2; exit 7');
    expect(result.code).toBe(7);
    expect(result.stdout.toString()).toBe('out');
    expect(result.stderr.toString()).toBe('err');
  });

  it('reports 128 + signal number for a command killed by a signal', async () => {
    expect((await ctx().transport.run('kill -TERM $$')).code).toBe(143);
  });

  it('passes 1 MB of stdin intact', async () => {
    const input = Buffer.alloc(1024 * 1024, 'abcdefghij\n');
    const result = await ctx().transport.run('sha256sum | cut -c1-64', { stdin: input });
    expect(result.stdout.toString().trim()).toBe(sha256(input));
  });

  it('runs 50 commands in parallel', async () => {
    const runs = Array.from({ length: 50 }, (_, i) => ctx().transport.run(`echo ${i}`));
    const outputs = (await Promise.all(runs)).map((r) => r.stdout.toString().trim());
    expect(outputs).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });

  it('kills the command (and its children) on timeout', async () => {
    const { transport, inspect } = ctx();
    const marker = 97000 + Math.floor(Math.random() * 1000);
    const running = async (): Promise<boolean> => (await inspect.run(`pgrep -f '[s]leep ${marker}'`)).code === 0;
    const pending = transport.run(`sleep ${marker}; echo never`, { timeoutMs: 1500 });
    const outcome = pending.catch((err: unknown) => err);
    await poll('the command to start', running, SOON);
    expect(await outcome).toMatchObject({ code: 'E_COMMAND_TIMEOUT', kind: 'transient' });
    await poll('the timed-out command to die', async () => !(await running()), SOON);
  });

  it('rejects with E_CANCELLED when aborted', async () => {
    const { transport, inspect } = ctx();
    const controller = new AbortController();
    const marker = 96000 + Math.floor(Math.random() * 1000);
    const running = async (): Promise<boolean> => (await inspect.run(`pgrep -f '[s]leep ${marker}'`)).code === 0;
    const pending = transport.run(`sleep ${marker}`, { signal: controller.signal });
    const outcome = pending.catch((err: unknown) => err);
    // Aborted once the command runs (polled), not after a guessed delay.
    await poll('the command to start', running, SOON);
    controller.abort();
    expect(await outcome).toMatchObject({ code: 'E_CANCELLED' });
    await poll('the aborted command to die', async () => !(await running()), SOON);
  });

  it('uploads atomically with mode and owner set', async () => {
    const { transport, inspect, workDir } = ctx();
    const path = `${workDir}/plain.conf`;
    await transport.upload(path, Buffer.from('old\n'), { mode: '0644' });
    await transport.upload(path, Buffer.from('new content\n'), { mode: '0640', owner: 'nobody', group: 'nogroup' });
    expect(await sh(inspect, `stat -c '%a %U %G %s' ${shellQuote(path)}`)).toBe('640 nobody nogroup 12');
    expect(await sh(inspect, `cat ${shellQuote(path)}`)).toBe('new content');
    expect(await sh(inspect, `ls -A ${shellQuote(workDir)} | grep -c drover-tmp || true`)).toBe('0');
  });

  it('uploads non-UTF-8 content to a hostile path', async () => {
    const { transport, inspect, workDir } = ctx();
    const dir = `${workDir}/d i r`;
    await sh(inspect, `mkdir -p ${shellQuote(dir)}`);
    const path = `${dir}/it's "$(echo pwned)" \`id\` $HOME\nline2 *`;
    const content = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256));
    await transport.upload(path, content, { mode: '0600' });
    expect(await sh(inspect, `sha256sum < ${shellQuote(path)} | cut -c1-64`)).toBe(sha256(content));
    expect(await sh(inspect, `stat -c %a ${shellQuote(path)}`)).toBe('600');
    expect(await sh(inspect, `ls ${shellQuote(dir)} | grep -c pwned`)).toBe('1');
  });

  it('refuses bad uploads with typed errors and leaves no temp file', async () => {
    const { transport, inspect, workDir } = ctx();
    await expect(transport.upload('relative/path', Buffer.from('x'), { mode: '0644' })).rejects.toMatchObject({ code: 'E_UPLOAD_INVALID' });
    await expect(transport.upload(`${workDir}/x`, Buffer.from('x'), { mode: 'rw-r--r--' })).rejects.toMatchObject({ code: 'E_UPLOAD_INVALID' });
    await expect(transport.upload(`${workDir}/missing/x`, Buffer.from('x'), { mode: '0644' })).rejects.toMatchObject({ code: 'E_UPLOAD_FAILED' });
    await expect(transport.upload(workDir, Buffer.from('x'), { mode: '0644' })).rejects.toMatchObject({ code: 'E_UPLOAD_FAILED' });
    await expect(transport.upload(`${workDir}/owned`, Buffer.from('x'), { mode: '0644', owner: 'no-such-user-xyz' })).rejects.toMatchObject({
      code: 'E_UPLOAD_FAILED',
    });
    expect(await sh(inspect, `ls -A ${shellQuote(workDir)}`)).not.toMatch(/drover-tmp|owned/);
  });
}
