/**
 * Scoped API tokens against a real `drover controller` and a real Git remote: every /api/v1 endpoint
 * and the status page, tried with a read, a sync and an admin token (a table: what each role may do),
 * 403 E_FORBIDDEN naming the token and the role needed; the event log records which token acted, and no
 * token value shows in an answer, the log, the event log or the state directory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createRemote, type GitRemote } from '../../support/git-remote.js';
import { startControllerProcess, tempDir, type ControllerProcess } from '../controller/support.js';
import { API_TOKEN, request } from './support.js';

const TOKENS = { read: 'read-token-aaaaaaaaaaaaaaaa', sync: 'sync-token-bbbbbbbbbbbbbbbb', admin: 'admin-token-cccccccccccccccc' } as const;
type Role = keyof typeof TOKENS;

let remote: GitRemote;
let dir: string;
let ctl: ControllerProcess;
let url: string;

beforeAll(async () => {
  remote = await createRemote();
  dir = await tempDir();
  // One host nobody answers for: these tests are about who may call what, not about the hosts.
  await remote.commit({ 'hosts/web1.yaml': stringify({ address: '127.0.0.1', port: 1, resources: [{ kind: 'directory', path: '/srv/x' }] }) });
  await writeFile(join(dir, 'api-token'), `${API_TOKEN}\n`, { mode: 0o600 });
  for (const [role, token] of Object.entries(TOKENS)) await writeFile(join(dir, `${role}-token`), `${token}\n`, { mode: 0o600 });
  const config = stringify({
    source: { url: remote.bare, branch: 'main', interval: '1h' }, stateDir: join(dir, 'state'), logLevel: 'info', listen: '127.0.0.1:0',
    sshConnectTimeout: '1s', retry: { baseSeconds: 60, maxSeconds: 60 }, apiTokenFile: 'api-token',
    apiTokens: [{ name: 'dashboard', file: 'read-token', role: 'read' }, { name: 'ci', file: 'sync-token', role: 'sync' }, { name: 'oncall', file: 'admin-token', role: 'admin' }],
  });
  ctl = await startControllerProcess({ dir, config, stateDir: join(dir, 'state') });
  url = (await ctl.waitForEvent((e) => typeof e.url === 'string' && e.msg.startsWith('HTTP API listening'), 'the HTTP listener')).url as string;
  // Commands wait for a first judged revision.
  await ctl.waitFor(async () => ((await request(`${url}/readyz`)).status === 200 ? true : undefined), 'readiness');
});

afterAll(async () => {
  await ctl?.stop();
  await remote?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const NAMES: Record<Role, string> = { read: 'dashboard', sync: 'ci', admin: 'oncall' };

/** Each endpoint, the least role it needs, and how to call it. */
const ENDPOINTS: { method: 'GET' | 'POST'; path: string; needs: Role; body?: unknown }[] = [
  { method: 'GET', path: '/api/v1/status', needs: 'read' },
  { method: 'GET', path: '/api/v1/hosts', needs: 'read' },
  { method: 'GET', path: '/api/v1/hosts/web1', needs: 'read' },
  { method: 'GET', path: '/api/v1/runs/no-such-run', needs: 'read' },
  { method: 'GET', path: '/api/v1/events', needs: 'read' },
  { method: 'GET', path: '/', needs: 'read' },
  { method: 'GET', path: '/hosts/web1', needs: 'read' },
  { method: 'POST', path: '/api/v1/sync', needs: 'sync', body: { dryRun: true } },
  { method: 'POST', path: '/api/v1/sync', needs: 'sync', body: { hosts: ['web1'] } },
  { method: 'GET', path: '/api/v1/previews/no-such-preview', needs: 'sync' },
  { method: 'POST', path: '/api/v1/previews', needs: 'sync', body: { ref: 'main' } },
  { method: 'POST', path: '/api/v1/hosts/web1/suspend', needs: 'admin', body: {} },
  { method: 'POST', path: '/api/v1/hosts/web1/resume', needs: 'admin', body: {} },
  { method: 'POST', path: '/api/v1/rollout/resume', needs: 'admin', body: {} },
];
const RANK: Record<Role, number> = { read: 0, sync: 1, admin: 2 };

const call = (e: (typeof ENDPOINTS)[number], token: string) => request(`${url}${e.path}`, {
  method: e.method, token, ...(e.body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(e.body) }),
});

describe('scoped API tokens', () => {
  const cases = ENDPOINTS.flatMap((e) => (['read', 'sync', 'admin'] as const).map((role) => [`${e.method} ${e.path} ${e.body ? JSON.stringify(e.body) : ''}`, role, e] as const));
  it.each(cases)('%s with a %s token', async (_name, role, endpoint) => {
    const answer = await call(endpoint, TOKENS[role]);
    if (RANK[role] >= RANK[endpoint.needs]) {
      // Allowed: whatever the endpoint answers, it is not an authorization refusal.
      expect([401, 403]).not.toContain(answer.status);
      expect(answer.status).toBeLessThan(500);
    } else {
      expect(answer.status).toBe(403);
      expect((answer.json as { error: unknown }).error).toEqual(expect.objectContaining({
        code: 'E_FORBIDDEN',
        message: `token "${NAMES[role]}" has role ${role}; ${endpoint.method} ${endpoint.path} needs ${endpoint.needs === 'admin' ? 'admin' : `${endpoint.needs} or admin`}`,
      }));
    }
  });

  it('refuses a wrong token (401) and an unknown one gets no role', async () => {
    const answer = await request(`${url}/api/v1/status`, { token: 'not-a-token-at-all-0000000000' });
    expect(answer.status).toBe(401);
    expect((answer.json as { error: unknown }).error).toEqual(expect.objectContaining({ code: 'E_UNAUTHENTICATED' }));
  });

  it('the legacy apiTokenFile token is admin, named apiToken', async () => {
    const answer = await request(`${url}/api/v1/hosts/web1/suspend`, { method: 'POST', token: true, headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(answer.status).toBe(200);
    const events = await request(`${url}/api/v1/events?type=host.suspended&order=desc&limit=1`, { token: TOKENS.read });
    expect((events.json as { events: { actor?: string }[] }).events[0]?.actor).toBe('apiToken');
    expect((await request(`${url}/api/v1/hosts/web1/resume`, { method: 'POST', token: true, headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(200);
  });

  it('the event log names the token that acted, and no token value is anywhere', async () => {
    const sync = await call({ method: 'POST', path: '/api/v1/sync', needs: 'sync', body: { dryRun: true } }, TOKENS.sync);
    expect(sync.status).toBe(202);
    const runId = (sync.json as { runId: string }).runId;
    const page = await request(`${url}/api/v1/events?type=sync.requested,host.*`, { token: TOKENS.read });
    expect(page.status).toBe(200);
    const events = (page.json as { events: { type: string; actor?: string; runId?: string; host?: string }[] }).events;
    expect(events).toContainEqual(expect.objectContaining({ type: 'sync.requested', runId, actor: 'ci', dryRun: true }));
    expect(events.filter((e) => e.type === 'host.suspended').map((e) => e.actor)).toContain('oncall');
    expect(events.filter((e) => e.type === 'host.resumed').map((e) => e.actor)).toContain('oncall');
    // The status page says who is looking.
    const shown = await request(`${url}/`, { token: TOKENS.read });
    expect(shown.text).toContain('dashboard (read)');

    // Stopped first: the state dir is then complete and still (no file renamed while it is read).
    expect(await ctl.stop()).toBe(0);
    const everything = [JSON.stringify(ctl.events), ctl.stderr(), page.text, shown.text, await allFiles(join(dir, 'state'))].join('\n');
    for (const token of [...Object.values(TOKENS), API_TOKEN]) expect(everything).not.toContain(token);
  });
});

async function allFiles(root: string): Promise<string> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name), 'utf8')));
  return texts.join('\n');
}
