/**
 * POST /actions over the real controller API (createApi on a real context and state store in a temp
 * dir, no SSH), through fastify's inject: the CSRF token of the viewer's page, the role of each action,
 * the answer for the page's script (JSON) and for a plain form (303 back, or an error page), and where a
 * form may send the browser back to.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DesiredState } from '../../../../manifests/types.js';
import { createApi } from '../../../../controller/daemon/api.js';
import type { Connections } from '../../../../controller/daemon/connections.js';
import type { DaemonContext } from '../../../../controller/daemon/context.js';
import { safeBack } from '../../../../controller/daemon/http/page-actions.js';
import { buildHttpApp } from '../../../../controller/daemon/http/server.js';
import { createLogger } from '../../../../controller/daemon/log.js';
import type { FleetRevision } from '../../../../controller/daemon/revisions/fleet.js';
import { openStateStore } from '../../../../controller/daemon/state/state.js';
import { HostBreakers } from '../../../../controller/daemon/work/breaker.js';
import { WorkQueue } from '../../../../controller/daemon/work/queue.js';
import { SyncRuns } from '../../../../controller/daemon/work/runs.js';
import { PendingTriggers } from '../../../../controller/daemon/work/triggers.js';
import { Secret } from '../../../../controller/config/secret.js';
import { ManualClock } from '../../../support/manual-clock.js';

let dir: string;
let app: FastifyInstance;
let ctx: DaemonContext;
const ADMIN = 'admin-token-0123456789';
const READ = 'read-token-0123456789';

const FLEET: FleetRevision = {
  revision: 'main@sha1:1', commit: '1',
  hosts: new Map(['web1', 'web2'].map((n) => [n, { host: { name: n, groups: [] } } as unknown as DesiredState])),
  hashes: new Map([['web1', 'h'], ['web2', 'h']]), others: new Map(),
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-page-actions-'));
  const clock = new ManualClock();
  const { store } = await openStateStore(dir);
  const log = createLogger({ level: 'silent' });
  ctx = {
    queue: new WorkQueue({ clock, random: () => 0.5, backoff: { baseMs: 1000, maxMs: 60_000 } }),
    pending: new PendingTriggers(), store, clock, log, driftFacts: new Map(), connections: {} as Connections,
    breakers: new HostBreakers(clock, { threshold: 5, cooldownMs: 60_000 }),
    syncRuns: new SyncRuns(), events: {}, fleet: () => FLEET, stopRuns: new AbortController().signal,
    settings: { runTimeoutMs: 60_000, selfHeal: false, driftIntervalMs: 60_000, suspendedByConfig: new Set() },
    newRunId: () => 'run-1',
  };
  app = await buildHttpApp({
    api: createApi(ctx, { triggerFetch: async () => {} }), log, startedAt: 0,
    settings: {
      listen: '127.0.0.1:0', source: { url: 'file:///repo', ref: { branch: 'main' } }, apiToken: new Secret(ADMIN),
      apiTokens: [{ name: 'dashboard', role: 'read', token: new Secret(READ) }],
    } as unknown as Parameters<typeof buildHttpApp>[0]['settings'],
  });
});

afterEach(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Logs in with `token`: the session cookie and the CSRF token of its fleet page ('' when the page has no form). */
async function session(token: string): Promise<{ cookie: string; csrf: string }> {
  const login = await app.inject({ method: 'POST', url: '/login', payload: `token=${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const fleet = await app.inject({ method: 'GET', url: '/', headers: { cookie } });
  return { cookie, csrf: /name="csrf" value="([^"]+)"/.exec(fleet.body)?.[1] ?? '' };
}

const act = (cookie: string, form: Record<string, string>, json = true) => app.inject({
  method: 'POST', url: '/actions', payload: new URLSearchParams(form).toString(),
  headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...(json ? { accept: 'application/json' } : {}) },
});

describe('POST /actions', () => {
  it("runs the button's action with the page's CSRF token, and refuses it without (403 E_CSRF) or with another session's", async () => {
    const admin = await session(ADMIN);
    expect(admin.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await act(admin.cookie, { sync: 'web1' })).json()).toMatchObject({ error: { code: 'E_CSRF' } });
    const other = await session(ADMIN);
    expect((await act(admin.cookie, { sync: 'web1', csrf: other.csrf })).statusCode).toBe(403);
    expect(ctx.pending.take('web1')).toBeUndefined();
    const done = await act(admin.cookie, { sync: 'web1', csrf: admin.csrf });
    expect(done.json().message).toMatch(/^Sync of web1 queued \(run \S+\)\.$/);
    expect(ctx.pending.take('web1')).toMatchObject({ trigger: 'manual', apply: true });
    const dry = await act(admin.cookie, { 'dry-run': 'web2', csrf: admin.csrf });
    expect(dry.json().message).toMatch(/^Dry run of web2 queued/);
    expect(ctx.pending.take('web2')).toMatchObject({ apply: false });
  });

  it('needs the role the API route needs: read is refused (403 E_FORBIDDEN) before its missing token is looked at', async () => {
    const read = await session(READ);
    expect(read.csrf).toBe('');
    for (const action of ['sync', 'dry-run', 'suspend', 'resume', 'sync-all', 'resume-rollout']) {
      const refused = await act(read.cookie, { [action]: 'web1' });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error).toMatchObject({ code: 'E_FORBIDDEN', message: `token "dashboard" has role read; POST /actions (${action}) needs ${['suspend', 'resume', 'resume-rollout'].includes(action) ? 'admin' : 'sync or admin'}` });
    }
    expect((await act('', { sync: 'web1' })).statusCode).toBe(401);
  });

  it('suspends and resumes, sends a plain form back to its page, and shows a refusal as a page', async () => {
    const admin = await session(ADMIN);
    const suspended = await act(admin.cookie, { suspend: 'web2', csrf: admin.csrf, back: '/hosts/web2' }, false);
    expect(suspended.statusCode).toBe(303);
    expect(suspended.headers.location).toBe('/hosts/web2');
    expect(ctx.store.host('web2')?.suspended).toBe(true);
    const syncSuspended = await act(admin.cookie, { sync: 'web2', csrf: admin.csrf, back: '/' }, false);
    expect(syncSuspended.statusCode).toBe(409);
    expect(syncSuspended.headers['content-type']).toMatch(/^text\/html/);
    expect(syncSuspended.body).toContain('<b>E_HOST_SUSPENDED</b>: web2 is suspended');
    expect((await act(admin.cookie, { resume: 'web2', csrf: admin.csrf })).json().message).toMatch(/^web2 resumed/);
    expect((await act(admin.cookie, { 'resume-rollout': 'default', csrf: admin.csrf })).json().error.code).toBe('E_ROLLOUT_NOT_HALTED');
    expect((await act(admin.cookie, { sync: 'web1', suspend: 'web1', csrf: admin.csrf })).json().error.code).toBe('E_INVALID_REQUEST');
    expect((await act(admin.cookie, { sync: '../etc', csrf: admin.csrf })).json().error.code).toBe('E_INVALID_REQUEST');
  });

  it('sends the browser back to a path of its own origin only', () => {
    expect(safeBack('/hosts/web1?x=1')).toBe('/hosts/web1?x=1');
    for (const bad of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'hosts', undefined, 3]) expect(safeBack(bad)).toBe('/');
  });
});
