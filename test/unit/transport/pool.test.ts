import { describe, expect, it } from 'vitest';
import { DroverError } from '../../../manifests/errors.js';
import { TransportPool } from '../../../controller/transport/pool.js';
import type { RunResult, Transport } from '../../../controller/transport/types.js';

/** An in-memory Transport: `run` answers from a script of outcomes, one per call. */
function fakeTransport(host: string, serial: number, outcomes: ('ok' | 'lost' | 'timeout')[]): Transport & { closed: boolean; connected: boolean } {
  const fake = {
    host,
    closed: false,
    connected: true,
    async run(): Promise<RunResult> {
      const outcome = outcomes.shift() ?? 'ok';
      if (outcome === 'lost') {
        fake.connected = false;
        throw new DroverError('E_CONNECTION_LOST', `${host}: connection lost`, { host });
      }
      if (outcome === 'timeout') throw new DroverError('E_COMMAND_TIMEOUT', `${host}: timed out`, { host });
      return { code: 0, stdout: Buffer.from(String(serial)), stderr: Buffer.alloc(0) };
    },
    async upload(): Promise<void> {},
    async close(): Promise<void> {
      fake.closed = true;
      fake.connected = false;
    },
  };
  return fake;
}

function poolWith(outcomes: ('ok' | 'lost' | 'timeout')[], failFirstConnect = false) {
  const made: ReturnType<typeof fakeTransport>[] = [];
  let fail = failFirstConnect;
  const pool = new TransportPool({
    connect: async (host) => {
      if (fail) {
        fail = false;
        throw new DroverError('E_CONNECT_REFUSED', `${host}: refused`, { host });
      }
      const t = fakeTransport(host, made.length + 1, outcomes);
      made.push(t);
      return t;
    },
  });
  return { pool, made };
}

const serialOf = async (t: Transport): Promise<string> => (await t.run('x')).stdout.toString();

describe('TransportPool', () => {
  it('connects once per host, shared by concurrent callers, and reuses it', async () => {
    const { pool, made } = poolWith([]);
    const [a, b] = await Promise.all([pool.get('web1'), pool.get('web1')]);
    expect(await serialOf(a)).toBe('1');
    expect(await serialOf(b)).toBe('1');
    expect(await serialOf(await pool.get('web1'))).toBe('1');
    await pool.get('web2');
    expect(made.map((t) => t.host)).toEqual(['web1', 'web2']);
    expect(pool.size).toBe(2);
  });

  it('drops a transport whose connection was lost, and reconnects on next use', async () => {
    const { pool, made } = poolWith(['lost']);
    const first = await pool.get('web1');
    await expect(first.run('x')).rejects.toMatchObject({ code: 'E_CONNECTION_LOST' });
    expect(made[0]?.closed).toBe(true);
    expect(await serialOf(await pool.get('web1'))).toBe('2');
  });

  it('keeps the transport on other errors', async () => {
    const { pool } = poolWith(['timeout']);
    await expect((await pool.get('web1')).run('x')).rejects.toMatchObject({ code: 'E_COMMAND_TIMEOUT' });
    expect(await serialOf(await pool.get('web1'))).toBe('1');
  });

  it('reconnects when a pooled transport reports connected=false', async () => {
    const { pool, made } = poolWith([]);
    await pool.get('web1');
    if (made[0]) made[0].connected = false;
    expect(await serialOf(await pool.get('web1'))).toBe('2');
  });

  it('does not cache a failed connect', async () => {
    const { pool } = poolWith([], true);
    await expect(pool.get('web1')).rejects.toMatchObject({ code: 'E_CONNECT_REFUSED' });
    expect(pool.size).toBe(0);
    expect(await serialOf(await pool.get('web1'))).toBe('1');
  });

  it('closeAll closes every transport and empties the pool', async () => {
    const { pool, made } = poolWith([]);
    await Promise.all([pool.get('a'), pool.get('b')]);
    await pool.closeAll();
    expect(made.every((t) => t.closed)).toBe(true);
    expect(pool.size).toBe(0);
  });
});
