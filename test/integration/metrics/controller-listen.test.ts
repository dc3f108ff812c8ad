import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runDrover } from '../cli/run-cli.js';

/** `drover controller` whose metrics port is taken: one clear line, exit 1, nothing started. Needs `npm run build`. */
describe('drover controller with its metricsListen port taken', () => {
  let dir: string;
  let busy: Server;
  let port: number;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'drover-metrics-listen-'));
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    port = (busy.address() as { port: number }).port;
  });
  afterAll(async () => {
    busy?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says which address it cannot listen on and exits 1 without starting the controller', async () => {
    const stateDir = join(dir, 'state');
    await writeFile(join(dir, 'drover.config.yaml'), stringify({ source: { url: join(dir, 'no-repo') }, stateDir, metricsListen: `127.0.0.1:${port}` }));
    const run = await runDrover(['controller', '--config', join(dir, 'drover.config.yaml')], { cwd: dir });
    expect(run.stderr.trim()).toBe(`drover: cannot listen on 127.0.0.1:${port} for metrics: listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
    expect(run.code).toBe(1);
    expect(await readdir(dir)).toEqual(['drover.config.yaml']);
  });
});
