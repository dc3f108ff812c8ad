/**
 * Serves drover's metrics over HTTP: a fastify route for the controller's API listener, and a
 * listener of its own for `metricsListen` (a separate port for Prometheus, no API on it).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { DroverError } from '../../../manifests/errors.js';
import { METRICS_CONTENT_TYPE, type DroverMetrics } from './metrics.js';

/** Adds `GET /metrics` (Prometheus text format) to a fastify app. */
export function registerMetricsRoute(app: FastifyInstance, metrics: DroverMetrics): void {
  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.exposition();
    return reply.header('content-type', METRICS_CONTENT_TYPE).send(text);
  });
}

/** A running metrics listener. */
export interface MetricsServer {
  /** `http://host:port` it listens on (the real port when 0 was asked for). */
  url: string;
  close(): Promise<void>;
}

/**
 * Splits `host:port` (`[::1]:9464` for IPv6, `:9464` for every IPv4 interface; port 0 picks a free
 * one). Throws DroverError E_CONFIG_INVALID naming the value when it is not one.
 */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(listen);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw new DroverError('E_CONFIG_INVALID', `metricsListen ${JSON.stringify(listen)} is not host:port (e.g. 127.0.0.1:9464 or [::]:9464)`);
  }
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

/**
 * Starts a listener on `listen` serving only `GET /metrics` (and `GET /healthz`). Rejects with the
 * listen error (address in use, no such address) after closing what it opened.
 */
export async function startMetricsServer(options: { metrics: DroverMetrics; listen: string }): Promise<MetricsServer> {
  const { host, port } = parseListen(options.listen);
  const app = Fastify({ logger: false });
  registerMetricsRoute(app, options.metrics);
  app.get('/healthz', async () => ({ ok: true }));
  try {
    await app.listen({ host, port });
  } catch (err) {
    await app.close();
    throw new DroverError('E_LISTEN', `cannot listen on ${options.listen} for metrics: ${(err as Error).message}`, { cause: err });
  }
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${shownHost}:${actualPort}`, close: () => app.close() };
}
