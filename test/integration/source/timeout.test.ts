import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitSource } from '../../../controller/source/index.js';
import { rejection, sourceSpec, tempDir } from './support.js';

describe('git source against a server that never answers', () => {
  let server: Server;
  let port: number;
  const sockets = new Set<Socket>();
  let accepted = 0;
  const work = tempDir('drover-source-timeout-');

  beforeAll(async () => {
    // Accepts the connection and then says nothing: git's request waits for an answer that never comes.
    server = createServer((socket) => {
      accepted += 1;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    work.remove();
  });

  it('gives up after timeoutMs with E_SOURCE_TIMEOUT (transient), then again on the next try', async () => {
    const source = createGitSource({ spec: sourceSpec(`git://127.0.0.1:${port}/repo.git`, { timeoutMs: 700 }), workDir: work.path });
    for (const attempt of [1, 2]) {
      const error = await rejection(source.fetchRevision());
      expect(error.code).toBe('E_SOURCE_TIMEOUT');
      expect(error.kind).toBe('transient');
      expect(error.message).toContain(`git://127.0.0.1:${port}/repo.git`);
      expect(error.message).toContain('700 ms');
      expect(accepted).toBe(attempt);
    }
  });
});
