/**
 * Keeps one Transport per host name warm across reconcile runs: connect on first use, reuse
 * after, forget a connection that is lost so the next use reconnects.
 */
import { DroverError } from '../../manifests/errors.js';
import type { RunOptions, RunResult, Transport, UploadOptions } from './types.js';
import { TransportErrorCodes as C } from './types.js';

/** Options of TransportPool. */
export interface TransportPoolOptions {
  /** Opens a Transport for a host name, e.g. connectSsh with that host's SshOptions. */
  connect: (host: string) => Promise<Transport>;
}

/**
 * One Transport per host name. `get` never returns a transport known to be disconnected; a
 * connect failure is not cached (the next `get` tries again — backoff is the caller's business).
 */
export class TransportPool {
  private readonly entries = new Map<string, Promise<Transport>>();

  constructor(private readonly options: TransportPoolOptions) {}

  /** Number of hosts with a connection (or a connect in flight). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The host's Transport, connecting on first use (concurrent callers share one connect).
   * The returned handle forwards to the pooled transport and drops it from the pool when a call
   * fails with E_CONNECTION_LOST; its close() drops the host from the pool. Rejects with whatever
   * the connect function rejects with.
   */
  async get(host: string): Promise<Transport> {
    let entry = this.entries.get(host);
    if (entry) {
      const current = await entry.catch(() => undefined);
      if (current?.connected === false) this.forget(host, entry);
      else if (current) return this.handle(host, current);
      entry = this.entries.get(host);
    }
    if (!entry) {
      entry = this.options.connect(host);
      this.entries.set(host, entry);
      entry.catch(() => this.forget(host, entry as Promise<Transport>));
    }
    return this.handle(host, await entry);
  }

  /** Closes and forgets the host's transport, if any. */
  async drop(host: string): Promise<void> {
    const entry = this.entries.get(host);
    if (!entry) return;
    this.entries.delete(host);
    const transport = await entry.catch(() => undefined);
    await transport?.close();
  }

  /** Closes every transport and empties the pool (connects in flight are closed when they finish). */
  async closeAll(): Promise<void> {
    const all = [...this.entries.keys()];
    await Promise.all(all.map((host) => this.drop(host)));
  }

  private forget(host: string, entry: Promise<Transport>): void {
    if (this.entries.get(host) === entry) this.entries.delete(host);
  }

  private handle(host: string, transport: Transport): Transport {
    const onError = (err: unknown): never => {
      if (err instanceof DroverError && err.code === C.lost) {
        const entry = this.entries.get(host);
        if (entry) void entry.then((t) => t === transport && this.forget(host, entry), () => undefined);
        void transport.close().catch(() => undefined);
      }
      throw err;
    };
    return {
      host: transport.host,
      get connected() {
        return transport.connected;
      },
      run: (command: string, options?: RunOptions): Promise<RunResult> => transport.run(command, options).catch(onError),
      upload: (path: string, content: Buffer, options: UploadOptions): Promise<void> => transport.upload(path, content, options).catch(onError),
      close: () => this.drop(host),
    };
  }
}
