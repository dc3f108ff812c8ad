/**
 * /api/v1 commands over the real controller API (createApi on a real context and state store in a
 * temp dir, no SSH): sync options, rollout resume, hosts owned by another shard, config-suspended hosts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DesiredState } from '../../../../manifests/types.js';
import { createApi } from '../../../../controller/daemon/api.js';
import { HostBreakers } from '../../../../controller/daemon/work/breaker.js';
import type { Connections } from '../../../../controller/daemon/connections.js';
import type { DaemonContext } from '../../../../controller/daemon/context.js';
import type { FleetRevision } from '../../../../controller/daemon/revisions/fleet.js';
import { buildHttpApp } from '../../../../controller/daemon/http/server.js';
import { createLogger } from '../../../../controller/daemon/log.js';
import { WorkQueue } from '../../../../controller/daemon/work/queue.js';
import { SyncRuns } from '../../../../controller/daemon/work/runs.js';
import { openStateStore } from '../../../../controller/daemon/state/state.js';
import { PendingTriggers } from '../../../../controller/daemon/work/triggers.js';
import { ManualClock } from '../../../support/manual-clock.js';

let dir: string;
let app: FastifyInstance;
let ctx: DaemonContext;

/** Hosts a and b are this replica's (shard 0 of 2); c belongs to shard 1. */
const FLEET: FleetRevision = {
  revision: 'main@sha1:1', commit: '1',
  hosts: new Map(['a', 'b'].map((n) => [n, { host: { name: n } } as unknown as DesiredState])),
  hashes: new Map([['a', 'h'], ['b', 'h']]),
  shard: { index: 0, count: 2 },
  others: new Map([['c', 1]]),
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-api-routes-'));
  const clock = new ManualClock();
  const { store } = await openStateStore(dir);
  const log = createLogger({ level: 'silent' });
  ctx = {
    queue: new WorkQueue({ clock, random: () => 0.5, backoff: { baseMs: 1000, maxMs: 60_000 } }),
    pending: new PendingTriggers(), store, clock, log, driftFacts: new Map(),
    connections: {} as Connections,
    breakers: new HostBreakers(clock, { threshold: 5, cooldownMs: 60_000 }),
    syncRuns: new SyncRuns(), events: {}, fleet: () => FLEET, stopRuns: new AbortController().signal,
    settings: { runTimeoutMs: 60_000, selfHeal: false, driftIntervalMs: 60_000, suspendedByConfig: new Set(['b']) },
    newRunId: () => 'run-1',
  };
  const api = createApi(ctx, { triggerFetch: async () => {} });
  app = await buildHttpApp({
    api, log, startedAt: 0,
    settings: { listen: '127.0.0.1:0', source: { url: 'file:///repo', ref: { branch: 'main' } } } as Parameters<typeof buildHttpApp>[0]['settings'],
  });
});

afterEach(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object });

describe('POST /api/v1/sync', () => {
  it('passes overrideWindow to the controller', async () => {
    const res = await post('/api/v1/sync', { hosts: ['a'], overrideWindow: true });
    expect(res.statusCode, res.body).toBe(202);
    expect(ctx.pending.take('a')).toMatchObject({ overrideWindow: true });
  });
  it('does not override windows unless asked', async () => {
    expect((await post('/api/v1/sync', { hosts: ['a'] })).statusCode).toBe(202);
    expect(ctx.pending.take('a')?.overrideWindow).toBeUndefined();
  });
  it('refuses a non-boolean overrideWindow, naming the field', async () => {
    const res = await post('/api/v1/sync', { overrideWindow: 'yes' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/body\.overrideWindow: must be boolean/);
  });
});

describe('hosts another shard owns', () => {
  it.each([
    ['sync', '/api/v1/sync', { hosts: ['c'] }],
    ['suspend', '/api/v1/hosts/c/suspend', {}],
    ['resume', '/api/v1/hosts/c/resume', {}],
  ])('%s answers 421 naming the owning shard', async (_name, url, body) => {
    const res = await post(url, body);
    expect(res.statusCode, res.body).toBe(421);
    expect(res.json().error).toMatchObject({ code: 'E_HOST_OTHER_SHARD', shard: { index: 1, count: 2 } });
    expect(res.json().error.message).toMatch(/c belongs to shard 1\/2/);
  });
  it('GET /api/v1/hosts/c answers 421 too', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/hosts/c' });
    expect(res.statusCode).toBe(421);
    expect(res.json().error.shard).toEqual({ index: 1, count: 2 });
  });
  it('a host no shard knows is still 404', async () => {
    const res = await post('/api/v1/sync', { hosts: ['zz'] });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('E_HOST_UNKNOWN');
  });
});

describe('POST /api/v1/rollout/resume', () => {
  it.each([
    ['no coordinator', {}],
    ['one lane', { lane: 'default' }],
  ])('answers 409 E_ROLLOUT_NOT_HALTED when nothing is halted (%s)', async (_name, body) => {
    const res = await post('/api/v1/rollout/resume', body);
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().error.code).toBe('E_ROLLOUT_NOT_HALTED');
  });
  it('takes a request without a body as every lane', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/rollout/resume' });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'E_ROLLOUT_NOT_HALTED', message: 'no rollout is halted; nothing to resume' });
  });
  it('refuses a bad lane, naming the field', async () => {
    const res = await post('/api/v1/rollout/resume', { lane: 7 });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/body\.lane: must be string/);
  });
});

describe('hosts suspended by the config (suspendedHosts)', () => {
  it('show as Suspended before any run', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/hosts' });
    const b = (res.json().hosts as { host: string; status: string; suspended: boolean }[]).find((h) => h.host === 'b');
    expect(b).toMatchObject({ status: 'Suspended', suspended: true });
  });
  it('get 409 on sync', async () => {
    const res = await post('/api/v1/sync', { hosts: ['b'] });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().error.code).toBe('E_HOST_SUSPENDED');
  });
});

describe('paths longer than any name', () => {
  it.each(['/api/v1/hosts/', '/api/v1/runs/', '/hosts/'])('%s<5,000 characters> answers 414 in drover\'s error shape', async (prefix) => {
    const res = await app.inject({ method: 'GET', url: `${prefix}${'a'.repeat(5000)}` });
    expect(res.statusCode).toBe(414);
    expect(res.json()).toEqual({ error: { code: 'E_URI_TOO_LONG', message: 'a part of the path is longer than any host name or id can be' } });
  });
});
