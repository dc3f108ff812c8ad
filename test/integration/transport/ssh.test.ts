import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DroverError } from '../../../manifests/errors.js';
import { TransportPool } from '../../../controller/transport/pool.js';
import { connectSsh } from '../../../controller/transport/ssh.js';
import type { Transport } from '../../../controller/transport/types.js';
import { useFleet } from '../../support/fleet.js';
import { poll } from '../../support/poll.js';
import { describeTransportContract, sh, SOON } from './contract.js';

const workDir = '/srv/drover-transport-test';
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('ssh transport on a fleet host', () => {
  const env = useFleet({ count: 1, name: 'transport-ssh' });
  let transport: Transport;
  let inspect: Transport;

  beforeAll(async () => {
    [transport, inspect] = await Promise.all([env.connect(), env.connect()]);
    await sh(inspect, `mkdir -p ${workDir}`);
  });

  describeTransportContract(() => ({ transport, inspect, workDir }));

  it('runs commands as root on the host itself', async () => {
    expect(await sh(transport, 'id -u; hostname')).toBe(`0\n${env.fleet.hosts[0]!.name}`);
  });

  it('queues past maxSessions instead of failing', async () => {
    const narrow = await connectSsh(env.sshOptions(0, { maxSessions: 2 }));
    try {
      const runs = await Promise.all(Array.from({ length: 12 }, (_, i) => narrow.run(`echo ${i}`)));
      expect(runs.map((r) => r.code)).toEqual(Array(12).fill(0));
    } finally {
      await narrow.close();
    }
  });

  it('closes idempotently and rejects calls afterwards with E_CONNECTION_LOST', async () => {
    const t = await connectSsh(env.sshOptions());
    await t.close();
    await t.close();
    expect(t.connected).toBe(false);
    await expect(t.run('true')).rejects.toMatchObject({ code: 'E_CONNECTION_LOST', host: env.fleet.hosts[0]!.name });
  });

  it('a connection killed mid-upload leaves the old target and no temp file', async () => {
    const path = `${workDir}/big.bin`;
    const old = Buffer.from('old content\n');
    await transport.upload(path, old, { mode: '0644' });
    const victim = await connectSsh(env.sshOptions());
    const outcome = victim.upload(path, randomBytes(256 * 1024 * 1024), { mode: '0644' }).then(
      () => 'completed',
      (err: unknown) => err,
    );
    const tempCount = (): Promise<string> => sh(inspect, `find ${workDir} -name '.drover-tmp.*' | wc -l`);
    await poll('the temp file to receive data', () => sh(inspect, `find ${workDir} -name '.drover-tmp.*' -size +1k | wc -l`), { ...SOON, until: (count) => count === '1', timeoutMs: 20_000 });
    // The upload script's parent is the sshd process serving that connection: kill it.
    await sh(inspect, `pid=$(pgrep -f '[d]rover-tmp.XXXXXX' | head -n 1); kill -9 $(ps -o ppid= -p "$pid")`);
    const err = await outcome;
    expect(err).toBeInstanceOf(DroverError);
    expect(err).toMatchObject({ code: 'E_CONNECTION_LOST', kind: 'transient' });
    expect(victim.connected).toBe(false);
    expect(await sh(inspect, `sha256sum < ${path} | cut -c1-64`)).toBe(sha256(old));
    await poll('the temp file to be removed', tempCount, { ...SOON, until: (count) => count === '0' });
  });

  it('a connection lost during a command rejects it, and the pool reconnects', async () => {
    const pool = new TransportPool({ connect: () => connectSsh(env.sshOptions()) });
    try {
      const pooled = await pool.get(env.fleet.hosts[0]!.name);
      const marker = 96000 + Math.floor(Math.random() * 1000);
      const pending = pooled.run(`sleep ${marker}`).catch((err: unknown) => err);
      await poll('the command to start', async () => (await inspect.run(`pgrep -f '[s]leep ${marker}'`)).code === 0, SOON);
      await sh(inspect, `kill -9 $(ps -o ppid= -p $(pgrep -f '[s]leep ${marker}' | head -n 1))`);
      expect(await pending).toMatchObject({ code: 'E_CONNECTION_LOST' });
      const again = await pool.get(env.fleet.hosts[0]!.name);
      expect(await sh(again, 'echo back')).toBe('back');
      expect(pool.size).toBe(1);
    } finally {
      await pool.closeAll();
    }
  });
});
