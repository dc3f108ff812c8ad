import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalTransport } from '../../../controller/transport/local.js';
import type { Transport } from '../../../controller/transport/types.js';
import { describeTransportContract } from './contract.js';

describe('local transport', () => {
  let transport: Transport;
  let workDir: string;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'drover-local-'));
    transport = createLocalTransport();
  });
  afterAll(async () => {
    await transport.close();
    await rm(workDir, { recursive: true, force: true });
  });

  describeTransportContract(() => ({ transport, inspect: transport, workDir }));

  it('rejects with E_CONNECTION_LOST after close', async () => {
    const closed = createLocalTransport({ host: 'here' });
    await closed.close();
    expect(closed.connected).toBe(false);
    await expect(closed.run('true')).rejects.toMatchObject({ code: 'E_CONNECTION_LOST', host: 'here' });
  });
});
