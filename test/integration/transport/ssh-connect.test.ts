import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSsh } from '../../../controller/transport/ssh.js';
import type { FleetHost } from '../../fleet/index.js';
import { useFleet } from '../../support/fleet.js';
import { freePort } from '../../support/net.js';
import { poll } from '../../support/poll.js';
import { sh, SOON } from './contract.js';

/** Number of successful public key logins in the host's sshd log (the fleet keeps it beside rootDir). */
async function acceptedLogins(host: FleetHost): Promise<number> {
  const log = await readFile(join(dirname(host.rootDir), 'log'), 'utf8');
  return log.split('\n').filter((line) => line.includes('Accepted publickey')).length;
}

describe('ssh connection setup against fleet hosts', () => {
  // host2 presents a host key other than the one known_hosts names for it.
  const env = useFleet({ count: 3, name: 'transport-conn', wrongHostKey: [1] });
  let scratch: string;
  let silent: Server;
  const silentSockets: Socket[] = [];

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'drover-ssh-'));
    silent = createServer((socket) => { silentSockets.push(socket.resume()); }); // accepts and reads, never speaks SSH
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    silent?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('refuses an unknown host key before authenticating', async () => {
    const host = env.fleet.hosts[0]!;
    const empty = join(scratch, 'empty_known_hosts');
    await writeFile(empty, '');
    const warm = await connectSsh(env.sshOptions(0));
    await warm.close();
    const before = await acceptedLogins(host);
    expect(before).toBeGreaterThan(0);
    await expect(connectSsh(env.sshOptions(0, { knownHostsFile: empty }))).rejects.toMatchObject({
      code: 'E_HOST_KEY_UNKNOWN',
      kind: 'stalled',
      host: host.name,
    });
    expect(await acceptedLogins(host)).toBe(before);
  });

  it('refuses a changed host key', async () => {
    const err = connectSsh(env.sshOptions(1));
    await expect(err).rejects.toMatchObject({ code: 'E_HOST_KEY_MISMATCH', kind: 'stalled', host: env.fleet.hosts[1]!.name });
    await expect(err).rejects.toThrow(/different host key/);
  });

  it('checks [127.0.0.1]:port entries on the shared loopback port', async () => {
    const host = env.fleet.hosts[2]!;
    const t = await connectSsh(env.sshOptions(2, { address: '127.0.0.1', port: host.localPort }));
    expect(await sh(t, 'hostname')).toBe(host.name);
    await t.close();
  });

  it('maps a refused port to E_CONNECT_REFUSED, without waiting for the connect deadline', async () => {
    const port = await freePort();
    const error = await connectSsh(env.sshOptions(0, { address: '127.0.0.1', port, connectTimeoutMs: 3_600_000 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_CONNECT_REFUSED', kind: 'transient' });
    expect((error as Error).message).toContain('connection refused');
  });

  it('bounds the whole handshake by connectTimeoutMs, and closes the connection it gave up on', async () => {
    const port = (silent.address() as { port: number }).port;
    const error = await connectSsh(env.sshOptions(0, { address: '127.0.0.1', port, connectTimeoutMs: 400 })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_CONNECT_TIMEOUT', kind: 'transient' });
    expect((error as Error).message).toContain('connect timed out after 400 ms');
    expect(silentSockets.length).toBeGreaterThan(0);
    await poll('the abandoned connection to close', () => silentSockets.every((s) => s.closed), SOON);
  });

  it('survives a connection reset before the handshake (ssh2 then reports the loss a second time)', async () => {
    // Reset once the client has spoken (connected, no SSH header yet), as an sshd killed mid-handshake does.
    const resetting = createServer((socket) => { socket.once('data', () => socket.resetAndDestroy()); });
    await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
    try {
      const port = (resetting.address() as { port: number }).port;
      for (let i = 0; i < 5; i++) {
        const error = await connectSsh(env.sshOptions(0, { address: '127.0.0.1', port })).catch((e: unknown) => e);
        expect(error).toMatchObject({ kind: 'transient' });
      }
    } finally {
      resetting.close();
    }
  });

  it('maps rejected keys to E_AUTH', async () => {
    const key = join(scratch, 'stranger');
    await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const error = await connectSsh(env.sshOptions(0, { privateKeyFiles: [key] })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_AUTH', kind: 'stalled' });
    // It names what it tried, so the user knows which key to authorise.
    expect((error as Error).message).toContain(`tried public key ${key} (ssh-ed25519 SHA256:`);
  });

  it('says that a missing known_hosts file does not exist, and how to make one', async () => {
    const host = env.fleet.hosts[0]!;
    const missing = join(scratch, 'no-such-dir', 'known_hosts');
    const error = await connectSsh(env.sshOptions(0, { knownHostsFile: missing })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_HOST_KEY_UNKNOWN', kind: 'stalled' });
    expect((error as Error).message).toContain(`known_hosts file ${missing} does not exist`);
    expect((error as Error).message).toContain(`ssh-keyscan -p ${host.port} ${host.address} >> ${missing}`);
  });

  it('refuses to start without any credential', async () => {
    await expect(connectSsh(env.sshOptions(0, { privateKeyFiles: [] }))).rejects.toMatchObject({ code: 'E_AUTH' });
  });

  it('reaches a host through a jump host', async () => {
    const target = env.fleet.hosts[0]!;
    const jump = env.sshOptions(2);
    const jumpLogins = await acceptedLogins(env.fleet.hosts[2]!);
    const t = await connectSsh(env.sshOptions(0, { proxyJump: jump }));
    expect(await sh(t, 'hostname')).toBe(target.name);
    expect(await acceptedLogins(env.fleet.hosts[2]!)).toBe(jumpLogins + 1);
    await t.close();
  });

  it('checks the host key of the target behind a jump host too', async () => {
    const jump = env.sshOptions(2);
    await expect(connectSsh(env.sshOptions(1, { proxyJump: jump }))).rejects.toMatchObject({
      code: 'E_HOST_KEY_MISMATCH',
    });
  });
});
